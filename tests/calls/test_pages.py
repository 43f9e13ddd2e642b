"""The "Log a call" form on the desk issue page and calls on its timeline."""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import make_contact, make_customer, make_issue, make_unmask_grant
from tierline.calls.models import Call

pytestmark = pytest.mark.django_db


def test_the_issue_page_has_the_form(client, org, agent):
    issue = make_issue(org)
    client.force_login(agent)
    page = client.get(f"/desk/issues/{issue.key}/").content.decode()
    assert 'id="log-call-heading"' in page and "Log a call" in page
    for label in ("Caller's phone number", "Call started (UTC)", "Call length (minutes, or mm:ss)", "Call outcome",
                  "Call notes"):
        assert label in page


def test_logging_a_call_from_the_page(client, org, agent):
    contact = make_contact(org, name="Dana Diaz", phone="+14155550100")
    issue = make_issue(org, requester=contact)
    client.force_login(agent)
    response = client.post(f"/desk/issues/{issue.key}/calls", {
        "direction": "outbound", "caller_number": "(415) 555-0100", "duration": "3:20", "outcome": "call_back",
        "notes": "Left the new export link",
    })
    assert response.status_code == 302
    call = Call.objects.get()
    assert (call.direction, call.duration_seconds, call.contact, call.logged_by) == ("outbound", 200, contact, agent)
    page = client.get(f"/desk/issues/{issue.key}/").content.decode()
    assert "logged an outbound call with ••••••0100 (3m 20s): Call back" in page
    assert "Dana" not in page.split('aria-label="Timeline"')[1].split("</ol>")[0]  # masked without a grant
    assert "Left the new export link" in page


def test_a_wrong_form_keeps_what_the_agent_typed(client, org, agent):
    issue = make_issue(org)
    client.force_login(agent)
    response = client.post(f"/desk/issues/{issue.key}/calls", {
        "direction": "inbound", "caller_number": "call me", "duration": "ten", "outcome": "answered", "notes": "kept",
    })
    assert response.status_code == 422
    page = response.content.decode()
    assert 'role="alert"' in page and 'value="call me"' in page and ">kept</textarea>" in page
    assert not Call.objects.exists()


def test_a_call_logged_after_the_fact(client, org, agent, settings):
    settings.TIME_ZONE = "America/New_York"  # the desk shows, and the agent types, times in its zone
    issue = make_issue(org)
    client.force_login(agent)
    page = client.get(f"/desk/issues/{issue.key}/").content.decode()
    assert "Call started (America/New_York)" in page
    # Left empty, the call started when the form is sent (not when the page was shown).
    assert re.search(r'name="started_at" type="datetime-local" [^>]*value=""', page)
    response = client.post(f"/desk/issues/{issue.key}/calls", {
        "direction": "outbound", "caller_number": "+14155550100", "started_at": "2026-11-27T09:30", "duration": "5",
        "outcome": "call_back"})
    assert response.status_code == 302
    call = Call.objects.get()
    assert call.started_at == datetime(2026, 11, 27, 14, 30, tzinfo=UTC)
    page = client.get(f"/desk/issues/{issue.key}/").content.decode()
    assert 'with ••••••0100 at <time datetime="2026-11-27T09:30:00-05:00">2026-11-27 09:30</time> (5m 00s)' in page
    before = timezone.now()
    client.post(f"/desk/issues/{issue.key}/calls", {"direction": "inbound", "caller_number": "+14155550100",
                                                    "started_at": "", "outcome": "answered"})
    assert Call.objects.latest("id").started_at >= before


@pytest.mark.parametrize("typed", ["2999-01-01T10:00", "yesterday", "2026-11-27T25:00", "2" * 40])
def test_a_start_time_that_cannot_be_is_refused_with_the_form_kept(client, org, agent, typed):
    issue = make_issue(org)
    client.force_login(agent)
    response = client.post(f"/desk/issues/{issue.key}/calls", {
        "direction": "inbound", "caller_number": "+14155550100", "started_at": typed, "outcome": "answered"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "started_at" in page and 'name="started_at" type="datetime-local"' in page and f'value="{typed}"' in page
    response = client.post("/desk/calls/new", {"title": "Export", "severity": "3", "direction": "inbound",
                                               "caller_number": "+14155550100", "started_at": typed,
                                               "outcome": "answered"})
    assert response.status_code == 422 and f'value="{typed}"' in response.content.decode()
    assert not Call.objects.exists()


def test_customers_and_forged_posts_log_nothing(org, agent):
    issue = make_issue(org)
    customer = Client()
    customer.force_login(make_customer(org))
    assert customer.post(f"/desk/issues/{issue.key}/calls", {"direction": "inbound"}).status_code == 302
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(agent)
    response = forged.post(f"/desk/issues/{issue.key}/calls", {
        "direction": "inbound", "caller_number": "+14155550100", "outcome": "answered"})
    assert response.status_code == 403
    response = forged.post("/desk/calls/new", {"title": "Forged", "direction": "inbound",
                                               "caller_number": "+14155550100", "outcome": "answered"})
    assert response.status_code == 403
    assert customer.get("/desk/calls/new").status_code == 302  # to the portal
    assert not Call.objects.exists()


def test_an_agent_with_an_unmask_grant_sees_who_called(client, org, agent):
    contact = make_contact(org, name="Dana Diaz", phone="+14155550100")
    issue = make_issue(org, requester=contact, assignee=agent)
    make_unmask_grant(org, issue, requester=agent)
    client.force_login(agent)
    client.post(f"/desk/issues/{issue.key}/calls", {"direction": "inbound", "caller_number": "+14155550100",
                                                    "outcome": "answered"})
    page = client.get(f"/desk/issues/{issue.key}/").content.decode()
    assert "logged an inbound call with Dana Diaz (0m 00s): Answered" in page


def test_opening_an_issue_from_a_call_on_the_desk(client, org, agent):
    contact = make_contact(org, phone="+44 20 7946 0958")
    client.force_login(agent)
    page = client.get("/desk/calls/new").content.decode()
    assert "New issue from a call" in page and 'for="call-title"' in page
    response = client.post("/desk/calls/new", {
        "title": "Cannot log in", "severity": "2", "organization": "", "direction": "inbound",
        "caller_number": "020 7946 0958", "duration": "1.5", "outcome": "escalated", "notes": "Locked out",
    })
    assert response.status_code == 422  # no country code and the default region is US: not a number here
    assert "Not a phone number" in response.content.decode() and 'value="Cannot log in"' in response.content.decode()
    response = client.post("/desk/calls/new", {
        "title": "Cannot log in", "severity": "2", "organization": "", "direction": "inbound",
        "caller_number": "+44 20 7946 0958", "duration": "1.5", "outcome": "escalated", "notes": "Locked out",
        "started_at": "2026-11-27 16:05",
    })
    call = Call.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/desk/issues/{call.issue.key}/"
    assert (call.issue.requester, call.issue.organization, call.issue.severity, call.duration_seconds) == (
        contact, org, 2, 90)
    assert call.started_at == datetime(2026, 11, 27, 16, 5, tzinfo=UTC)


def test_a_new_call_for_a_chosen_customer(client, org, agent):
    client.force_login(agent)
    client.post("/desk/calls/new", {"title": "Billing question", "severity": "4", "organization": str(org.pk),
                                    "direction": "inbound", "caller_number": "+14155550123", "outcome": "resolved"})
    issue = Call.objects.get().issue
    assert (issue.organization, issue.requester, issue.status, issue.channel) == (org, None, "resolved", "phone")


def test_the_timeline_costs_the_same_for_one_call_or_many(client, org, agent):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tierline.calls.actions import do_log_call

    issue = make_issue(org)
    client.force_login(agent)

    def log(n):
        do_log_call(issue, actor=agent, direction="inbound", caller_number=f"+1415555011{n}", outcome="answered",
                    contact=make_contact(org, name=f"Caller {n}", phone=f"+1415555011{n}"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/desk/issues/{issue.key}/").status_code == 200
        return len(captured)

    log(0)
    one = queries()
    for n in range(1, 6):
        log(n)
    assert queries() == one
