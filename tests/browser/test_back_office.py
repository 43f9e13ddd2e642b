"""The customer page in a real browser: masked by default, unmasked with a reason for a limited
time (on the customer page and the desk issue page), approval by a second person, the customer's
view of who looked, and the Content-Security-Policy the pages run under."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import make_contact, make_customer, make_issue, make_org, make_staff
from tierline.customers.models import UnmaskGrant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_engineer_unmasks_personal_data_for_an_issue(page):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    jonas = make_contact(acme, email="jonas@acme.example", name="Jonas Berg")
    engineer = make_staff("engineer_t4", email="erin@tierline.example", name="Erin")
    issue = make_issue(acme, title="Login fails for Jonas", assignee=engineer, requester=jonas)
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
    grant = UnmaskGrant.objects.get()
    assert timedelta(minutes=29) < grant.expires_at - timezone.now() <= timedelta(minutes=30)
    expect(page.get_by_text("Personal data is unmasked for you until")).to_contain_text(
        f"{grant.expires_at:%H:%M} UTC")

    # The desk issue page names the requester while the unmask lasts, and masks it after.
    page.goto(f"/desk/issues/{issue.key}/")
    expect(page.locator("dd.requester")).to_have_text("Jonas Berg")
    UnmaskGrant.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    page.reload()
    expect(page.locator("dd.requester")).to_have_text("••••••")
    page.goto(f"/desk/customers/{acme.pk}/")
    expect(email_cell).to_have_text("••••••")

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


def test_pages_run_under_the_content_security_policy_which_blocks_injected_code(page):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    engineer = make_staff("engineer_t4", email="erin@tierline.example")
    log_in(page, engineer.email)
    response = page.goto(f"/desk/customers/{acme.pk}/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY" and response.headers["referrer-policy"] == "same-origin"
    assert page.csp_refused == []  # the page itself needs nothing the policy forbids
    directive = page.evaluate("""() => new Promise(resolve => {
        document.addEventListener("securitypolicyviolation", event => resolve(event.violatedDirective));
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.appendChild(script);
    })""")
    assert directive.startswith("script-src") and page.evaluate("window.injected") is None
    expect(page.locator("body")).to_be_visible()
    page.wait_for_timeout(200)  # the console report follows the event
    assert page.csp_refused, "the browser tests' guard sees what the policy blocked"
    page.csp_refused.clear()  # blocked on purpose here
