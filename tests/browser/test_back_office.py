"""The customer page in a real browser: masked by default, unmasked with a reason, approval by a
second person, and the customer's view of who looked."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import make_contact, make_customer, make_issue, make_org, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_engineer_unmasks_personal_data_for_an_issue(page):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    make_contact(acme, email="jonas@acme.example", name="Jonas Berg")
    engineer = make_staff("engineer_t4", email="erin@tierline.example", name="Erin")
    issue = make_issue(acme, title="Login fails for Jonas", assignee=engineer)
    customer = make_customer(acme, email="portal@acme.example")

    log_in(page, engineer.email)
    page.get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="Acme Robotics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Robotics")
    email_cell = page.locator("td.contact-email").first  # Jonas; the portal user is a contact too
    expect(email_cell).to_have_text("••••••")
    expect(page.get_by_role("link", name=issue.key).first).to_be_visible()

    page.get_by_label("Issue you are working on").select_option(issue.key)
    page.get_by_label("Reason").fill("Jonas cannot log in, need his address")
    page.get_by_role("button", name="Unmask personal data").click()
    expect(page.get_by_role("status").first).to_contain_text("unmasked")
    expect(email_cell).to_have_text("jonas@acme.example")

    page.get_by_role("button", name="Log out").click()
    log_in(page, customer.email)
    page.get_by_role("link", name="Who looked at our data").click()
    expect(page.locator("table.queue tbody")).to_contain_text("Erin")
    expect(page.locator("table.queue tbody")).to_contain_text("Jonas cannot log in")


def test_unmask_waits_for_a_second_persons_approval(page):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"], unmask_needs_approval=True)
    make_contact(acme, email="jonas@acme.example", name="Jonas Berg")
    engineer = make_staff("engineer_t4", email="erin@tierline.example", name="Erin")
    issue = make_issue(acme, title="Login fails for Jonas", assignee=engineer)
    senior = make_staff("senior_engineer_t5", email="sam@tierline.example", name="Sam")

    log_in(page, engineer.email)
    page.goto(f"/desk/customers/{acme.pk}/")
    page.get_by_label("Issue you are working on").select_option(issue.key)
    page.get_by_label("Reason").fill("Jonas cannot log in, need his address")
    page.get_by_role("button", name="Unmask personal data").click()
    expect(page.get_by_text("waiting for a second person's approval")).to_be_visible()
    expect(page.locator("td.contact-email")).to_have_text("••••••")

    page.get_by_role("button", name="Log out").click()
    log_in(page, senior.email)
    page.goto(f"/desk/customers/{acme.pk}/")
    page.get_by_role("button", name="Approve unmask for Erin").click()
    expect(page.get_by_role("status").first).to_contain_text("approved")
    expect(page.locator("td.contact-email")).to_have_text("••••••")  # approving does not unmask for the approver

    page.get_by_role("button", name="Log out").click()
    log_in(page, engineer.email)
    page.goto(f"/desk/customers/{acme.pk}/")
    expect(page.locator("td.contact-email")).to_have_text("jonas@acme.example")


def test_admin_finds_unmasks_in_the_audit_trail(page):
    from tests.factories import make_unmask_grant

    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    issue = make_issue(acme, title="Login fails for Jonas")
    make_unmask_grant(acme, issue, requester=make_staff("engineer_t4", email="erin@tierline.example"),
                      reason="Jonas cannot log in, need his address")
    admin = make_staff("admin", email="ada@tierline.example")
    log_in(page, admin.email)
    page.get_by_role("link", name="Audit").click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    page.get_by_label("Action").fill("personal_data.")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("erin@tierline.example")
    expect(rows.first).to_contain_text("Jonas cannot log in, need his address")
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    assert download.value.suggested_filename == "tierline-audit.csv"
