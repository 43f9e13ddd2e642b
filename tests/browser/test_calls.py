from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.factories import make_contact, make_issue, make_org, make_staff
from tierline.calls.models import Call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_logs_a_call_on_the_issue_page(page):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    dana = make_contact(acme, name="Dana Diaz", phone="+1 415 555 0100")
    issue = make_issue(acme, title="Export to CSV fails", requester=dana)
    agent = make_staff("support_t1", email="alice@tierline.example", name="Alice")

    log_in(page, agent.email)
    page.goto(f"/desk/issues/{issue.key}/")
    form = page.get_by_role("form", name="Log a call")
    expect(form).to_be_visible()
    form.get_by_label("Outbound").check()
    form.get_by_label("Caller's phone number").fill("(415) 555-0100")
    form.get_by_label("Call length (minutes, or mm:ss)").fill("4:05")
    form.get_by_label("Call outcome").select_option(label="Call back")
    form.get_by_label("Call notes").fill("Sent the fixed export; will call back Friday")
    form.get_by_role("button", name="Log call").click()

    timeline = page.get_by_role("list", name="Timeline")
    expect(timeline).to_contain_text("logged an outbound call with ••••••0100 (4m 05s): Call back")
    expect(timeline).to_contain_text("will call back Friday")
    expect(timeline).not_to_contain_text("415")  # the number is masked on the page
    call = Call.objects.get()
    assert (call.contact, call.duration_seconds, call.logged_by) == (dana, 245, agent)
    issue.refresh_from_db()
    assert issue.first_response_at == call.started_at  # the outbound call answered the customer

    # A wrong number is refused with the form kept as typed.
    form = page.get_by_role("form", name="Log a call")
    form.get_by_label("Caller's phone number").fill("call me")
    form.get_by_label("Call notes").fill("second try")
    form.get_by_role("button", name="Log call").click()
    expect(page.get_by_role("alert")).to_contain_text("Not a phone number")
    expect(page.get_by_role("form", name="Log a call").get_by_label("Call notes")).to_have_value("second try")
    assert Call.objects.count() == 1


def test_agent_opens_an_issue_from_a_call(page):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    dana = make_contact(acme, name="Dana Diaz", phone="+1 415 555 0100")
    agent = make_staff("support_t2", email="chloe@tierline.example", name="Chloe")

    log_in(page, agent.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New call").click()
    form = page.get_by_role("form", name="New issue from a call")
    form.get_by_label("Issue title").fill("Invoices show the wrong VAT")
    form.get_by_label("Severity").select_option(label="S2 major")
    form.get_by_label("Caller's phone number").fill("415 555 0100")
    form.get_by_label("Call length (minutes, or mm:ss)").fill("2")
    form.get_by_label("Call outcome").select_option(label="Escalated")
    form.get_by_label("Call notes").fill("Affects every French customer")
    form.get_by_role("button", name="Open issue").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Invoices show the wrong VAT")
    expect(page.get_by_role("list", name="Timeline")).to_contain_text("(2m 00s): Escalated")
    call = Call.objects.get()
    assert (call.issue.requester, call.issue.organization, call.issue.channel) == (dana, acme, "phone")


def test_agent_logs_a_call_that_happened_earlier(page, settings):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    dana = make_contact(acme, name="Dana Diaz", phone="+1 415 555 0100")
    issue = make_issue(acme, title="Export to CSV fails", requester=dana, at=timezone.now() - timedelta(hours=3))
    agent = make_staff("support_t1", email="alice@tierline.example", name="Alice")
    called = timezone.localtime().replace(second=0, microsecond=0) - timedelta(hours=1, minutes=30)

    log_in(page, agent.email)
    page.goto(f"/desk/issues/{issue.key}/")
    form = page.get_by_role("form", name="Log a call")
    started = form.get_by_label(f"Call started ({settings.TIME_ZONE})")
    expect(started).to_have_value("")  # empty: the call just ended
    expect(started).to_have_accessible_description("Leave empty for a call that just ended; fill in for one "
                                                   "logged later.")
    # A time in the future is refused, with what the agent typed kept.
    started.fill((called + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Outbound").check()
    form.get_by_label("Caller's phone number").fill("(415) 555-0100")
    form.get_by_label("Call notes").fill("Walked through the export settings")
    form.get_by_role("button", name="Log call").click()
    expect(page.get_by_role("alert")).to_contain_text("started_at: not in the future")
    form = page.get_by_role("form", name="Log a call")
    expect(form.get_by_label("Call notes")).to_have_value("Walked through the export settings")

    form.get_by_label(f"Call started ({settings.TIME_ZONE})").fill(called.strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Call length (minutes, or mm:ss)").fill("12")
    form.get_by_role("button", name="Log call").click()

    timeline = page.get_by_role("list", name="Timeline")
    expect(timeline).to_contain_text(f"logged an outbound call with ••••••0100 at {called:%Y-%m-%d %H:%M} (12m 00s)")
    call = Call.objects.get()
    assert call.started_at == called and call.created_at - called > timedelta(hours=1)
    issue.refresh_from_db()
    assert issue.first_response_at == called  # the response was the call, not the moment it was logged
