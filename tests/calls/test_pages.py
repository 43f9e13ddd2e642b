"""The "Log a call" form on the desk issue page and calls on its timeline."""

import pytest
from django.test import Client

from tests.factories import make_contact, make_customer, make_issue, make_unmask_grant
from tierline.calls.models import Call

pytestmark = pytest.mark.django_db


def test_the_issue_page_has_the_form(client, org, agent):
    issue = make_issue(org)
    client.force_login(agent)
    page = client.get(f"/desk/issues/{issue.key}/").content.decode()
    assert 'id="log-call-heading"' in page and "Log a call" in page
    for label in ("Caller's phone number", "Call length (minutes, or mm:ss)", "Call outcome", "Call notes"):
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
