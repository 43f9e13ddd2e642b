import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import make_customer, make_issue, make_org, make_staff
from tierline.issues.actions import do_add_comment
from tierline.issues.models import Issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_reports_a_problem_and_follows_the_conversation(page):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    other = make_org(name="Globex", email_domains=["globex.example"])
    make_issue(other, title="Globex secret problem")
    customer = make_customer(acme, email="maya@acme.example", name="Maya")

    log_in(page, customer.email)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acme Robotics")
    expect(page.locator("body")).not_to_contain_text("Globex secret problem")

    page.get_by_role("link", name="Report a problem").first.click()
    page.get_by_label("Title").fill("CSV export stops at 10,000 rows")
    page.get_by_label("Description").fill("Our monthly export is cut off.")
    page.get_by_label("Severity").select_option(label="S2 major")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CSV export stops at 10,000 rows")

    issue = Issue.objects.get(title="CSV export stops at 10,000 rows")
    agent = make_staff(name="Alice")
    do_add_comment(issue, author=agent, body="Could you share the export id?", is_public=True, notify=False)
    do_add_comment(issue, author=agent, body="Probably the 10k cap in exporter", is_public=False)
    page.reload()
    conversation = page.get_by_role("list", name="Conversation")
    expect(conversation).to_contain_text("Could you share the export id?")
    expect(conversation).not_to_contain_text("10k cap")

    page.get_by_label("Message").fill("Export id 7781")
    page.get_by_role("button", name="Send").click()
    expect(conversation).to_contain_text("Export id 7781")
    assert issue.comments.filter(body="Export id 7781", author_contact=customer.contact).exists()


def test_empty_reply_is_refused_with_a_message(page):
    acme = make_org(name="Acme", email_domains=["acme.example"])
    customer = make_customer(acme)
    issue = make_issue(acme, requester=customer.contact)
    log_in(page, customer.email)
    page.goto(f"/portal/issues/{issue.key}/")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_contain_text("Write a reply")
