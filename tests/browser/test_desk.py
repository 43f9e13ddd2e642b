import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import make_contact, make_issue, make_org, make_staff, make_team
from tierline.issues.models import Issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_works_an_issue_from_queue_to_resolution(page):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    globex = make_org(name="Globex Health", email_domains=["globex.example"])
    issue = make_issue(acme, title="Invoice shows wrong VAT", requester=make_contact(acme))
    make_issue(globex, title="Dashboard slow")
    agent = make_staff("support_t2", email="chloe@tierline.example", name="Chloe")
    make_team("Operations", tier=3)

    log_in(page, agent.email)
    expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(2)

    page.get_by_label("Organization").select_option(label="Acme Robotics")
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Invoice shows wrong VAT")

    page.get_by_role("link", name=issue.key).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Invoice shows wrong VAT")

    page.get_by_label("Message").fill("Thanks, we can reproduce this and are on it.")
    page.get_by_role("button", name="Send").click()
    page.get_by_label("Internal note").check()
    page.get_by_label("Message").fill("Tax table for FR is stale.")
    page.get_by_role("button", name="Send").click()

    timeline = page.get_by_role("list", name="Timeline")
    expect(timeline).to_contain_text("Thanks, we can reproduce this")
    expect(timeline.locator("li.internal")).to_contain_text("Tax table for FR is stale.")

    page.get_by_label("Status").select_option("resolved")
    page.get_by_label("Assignee").select_option(label="Chloe")
    page.get_by_label("Team").select_option(label="Operations")
    page.get_by_role("button", name="Save").click()
    expect(timeline).to_contain_text("open → resolved")
    expect(timeline).to_contain_text("moved to team Operations")

    issue.refresh_from_db()
    assert (issue.status, issue.assignee, issue.team.name) == ("resolved", agent, "Operations")
    assert issue.first_response_at is not None


def test_search_by_key_and_paging(page):
    acme = make_org(name="Acme", email_domains=["acme.example"])
    issues = [make_issue(acme, title=f"Report {n}") for n in range(55)]
    log_in(page, make_staff().email)
    page.get_by_role("link", name="Next page").click()
    expect(page.locator("table.queue tbody tr")).to_have_count(5)
    page.get_by_label("Search").fill(issues[3].key)
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("table.queue tbody tr")).to_have_count(1)
    expect(page.locator("table.queue")).to_contain_text("Report 3")
    assert Issue.objects.count() == 55


def test_wrong_password_is_explained(page):
    make_staff(email="alice@tierline.example")
    log_in(page, "alice@tierline.example", "not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("didn't match")
