"""The intake pages in a real browser: an admin retries a quarantined mail; an agent sees the
similar issues of the issue in front of them."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import make_issue, make_org, make_staff
from tests.intake.conftest import make_mail
from tierline.intake.actions import do_receive_message
from tierline.intake.models import InboundMessage
from tierline.intake.similar import catch_up
from tierline.issues.actions import do_update_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_sees_the_quarantine_and_retries_a_message(page, monkeypatch):
    import tierline.intake.mail_intake as mail_intake

    admin = make_staff("admin", email="ada@tierline.example")
    real = mail_intake.do_create_issue
    monkeypatch.setattr(mail_intake, "do_create_issue", lambda **kw: (_ for _ in ()).throw(RuntimeError("disk full")))
    do_receive_message(kind="email", source="smtp", raw=make_mail(subject="Printer on fire"))
    message = InboundMessage.objects.get()
    assert message.status == "quarantined"
    monkeypatch.setattr(mail_intake, "do_create_issue", real)

    log_in(page, admin.email)
    page.get_by_role("link", name="Quarantine").click()
    table = page.get_by_role("table", name="Quarantined messages")
    expect(table).to_contain_text("Printer on fire")
    expect(table).to_contain_text("RuntimeError: disk full")
    page.get_by_role("button", name=f"Retry message {message.pk}").click()
    expect(page.get_by_role("status")).to_contain_text("is now processed")
    expect(page.get_by_text("Nothing is quarantined.")).to_be_visible()
    message.refresh_from_db()
    assert message.issue.title == "Printer on fire"


def test_an_agent_sees_similar_issues_on_the_issue_page(page):
    org = make_org(name="Acme Robotics", email_domains=["acme.example"])
    agent = make_staff("support_t1", email="alice@tierline.example")
    old = make_issue(org, title="CSV export times out on large projects")
    do_update_issue(old, actor=agent, status="resolved")
    make_issue(org, title="Login page blank in Safari")
    new = make_issue(org, title="Export to CSV timing out for big project")
    catch_up()  # the worker's minutely step

    log_in(page, agent.email)
    page.goto(f"/desk/issues/{new.key}/")
    panel = page.get_by_role("region", name="Similar issues")
    expect(panel.get_by_role("listitem").first).to_contain_text(old.key)
    expect(panel).to_contain_text("Resolved")
    panel.get_by_role("link", name=old.key).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CSV export times out")


def test_the_quarantine_is_for_admins_only(client, db):
    client.force_login(make_staff("senior_engineer_t5"))
    assert client.get("/desk/intake/quarantine/").status_code == 404
