"""Logging calls: the row and its timeline event together, callers matched to contacts by
number, a call resolved on the phone resolving its issue, issues opened from calls."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tests.factories import make_contact, make_issue, make_staff
from tierline.calls.actions import do_log_call, do_open_issue_from_call
from tierline.calls.models import Call
from tierline.errors import InvalidInput
from tierline.issues.models import Channel, EventKind, IssueEvent, Status

pytestmark = pytest.mark.django_db


def test_logging_a_call_writes_the_call_and_its_event(org, agent):
    contact = make_contact(org, name="Dana Diaz", phone="(415) 555-0100")
    issue = make_issue(org, requester=contact)
    call = do_log_call(issue, actor=agent, direction="inbound", caller_number="+1 415 555 0100",
                       outcome="call_back", duration_seconds=200, notes="Wants the export fixed by Friday")
    assert (call.contact, call.caller_number, call.logged_by) == (contact, "+14155550100", agent)
    assert (call.direction, call.duration_seconds, call.outcome, call.notes) == (
        "inbound", 200, "call_back", "Wants the export fixed by Friday")
    event = IssueEvent.objects.get(issue=issue, kind=EventKind.CALL_LOGGED)
    assert event.actor == agent
    assert event.data["contact_id"] == contact.pk and event.data["outcome_label"] == "Call back"
    assert event.data["notes"] == "Wants the export fixed by Friday" and event.data["caller"].endswith("0100")
    assert "415" not in event.data["caller"]  # the number is personal: masked on the timeline


def test_a_call_resolved_on_the_phone_resolves_the_issue(org, agent):
    issue = make_issue(org)
    do_log_call(issue, actor=agent, direction="outbound", caller_number="+14155550100", outcome="resolved")
    issue.refresh_from_db()
    assert issue.status == Status.RESOLVED
    kinds = list(issue.events.values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.CALL_LOGGED, EventKind.STATUS_CHANGED]


def test_the_same_number_at_another_customer_is_not_this_issues_caller(org, other_org, agent):
    make_contact(other_org, phone="+14155550100")
    call = do_log_call(make_issue(org), actor=agent, direction="inbound", caller_number="415-555-0100",
                       outcome="answered")
    assert call.contact is None


@pytest.mark.parametrize("fields,bad", [
    ({"direction": "sideways"}, "direction"), ({"outcome": "great"}, "outcome"),
    ({"duration_seconds": -1}, "duration_seconds"), ({"caller_number": "not a number"}, "caller_number"),
    ({"notes": "x" * 20_001}, "notes"),
])
def test_invalid_calls_are_refused_and_write_nothing(org, agent, fields, bad):
    issue = make_issue(org)
    call = {"direction": "inbound", "caller_number": "+14155550100", "outcome": "answered", **fields}
    with pytest.raises(InvalidInput) as caught:
        do_log_call(issue, actor=agent, **call)
    assert bad in caught.value.fields
    assert not Call.objects.exists() and not issue.events.filter(kind=EventKind.CALL_LOGGED).exists()


def test_a_call_logged_after_the_fact_keeps_when_it_happened(org, agent, settings):
    settings.TIME_ZONE = "Europe/Berlin"  # the desk's time zone: times typed without one are read in it
    issue = make_issue(org)
    now = timezone.now()
    earlier = do_log_call(issue, actor=agent, direction="outbound", caller_number="+14155550100",
                          outcome="call_back", started_at=datetime(2026, 11, 27, 11, 30), at=now)
    assert earlier.started_at == datetime(2026, 11, 27, 10, 30, tzinfo=UTC) and earlier.created_at == now
    assert IssueEvent.objects.get(issue=issue, kind=EventKind.CALL_LOGGED).created_at == now
    # An API client's clock a few seconds ahead of ours: the call happened now.
    ahead = do_log_call(issue, actor=agent, direction="inbound", caller_number="+14155550100", outcome="answered",
                        started_at=now + timedelta(seconds=20), at=now)
    assert ahead.started_at == now


def test_a_call_in_the_future_is_refused(org, agent):
    issue = make_issue(org)
    for call in (lambda **f: do_log_call(issue, **f), lambda **f: do_open_issue_from_call(title="Export", **f)):
        with pytest.raises(InvalidInput) as caught:
            call(actor=agent, direction="outbound", caller_number="+14155550100", outcome="call_back",
                 started_at=timezone.now() + timedelta(hours=2))
        assert caught.value.fields == {"started_at": "not in the future"}
    assert not Call.objects.exists()


def test_a_contact_of_another_organization_is_refused(org, other_org, agent):
    with pytest.raises(InvalidInput):
        do_log_call(make_issue(org), actor=agent, direction="inbound", caller_number="+14155550100",
                    outcome="answered", contact=make_contact(other_org))


def test_opening_an_issue_from_a_call(org):
    agent = make_staff("support_t2")
    contact = make_contact(org, name="Dana Diaz", phone="+44 20 7946 0958")
    call = do_open_issue_from_call(actor=agent, title="Cannot log in", direction="inbound",
                                   caller_number="+442079460958", outcome="escalated", duration_seconds=61,
                                   notes="Locked out after the password reset")
    issue = call.issue
    assert (issue.channel, issue.requester, issue.organization) == (Channel.PHONE, contact, org)
    assert issue.description == "Locked out after the password reset"
    # The agent spoke with the caller: the call is the issue's first response and opens it.
    assert list(issue.events.values_list("kind", flat=True)) == [
        EventKind.CREATED, EventKind.CALL_LOGGED, EventKind.STATUS_CHANGED]
    issue.refresh_from_db()
    assert issue.status == Status.OPEN and issue.first_response_at == issue.created_at


def test_a_failed_open_leaves_no_issue(org, agent):
    from tierline.issues.models import Issue

    with pytest.raises(InvalidInput):
        do_open_issue_from_call(actor=agent, title="", direction="inbound", caller_number="+14155550100",
                                outcome="answered")
    assert not Issue.objects.exists()


def test_callers_are_matched_through_an_index_kept_up_to_date(org, agent):
    from tierline.calls.actions import do_index_contact_numbers, match_caller
    from tierline.calls.models import ContactNumber
    from tierline.calls.tasks import index_contact_numbers
    from tierline.customers.models import Contact

    dana = make_contact(org, phone="(415) 555-0100")
    make_contact(org)  # no number: read too, so the highest id read says which contacts are new
    assert match_caller("+14155550100") == dana
    assert ContactNumber.objects.get(contact=dana).number == "+14155550100"
    assert ContactNumber.objects.count() == 2
    later = make_contact(org, phone="+1 212 555 0199")  # created after the last match: read by the next one
    assert match_caller("2125550199") == later
    # A number changed behind the application's back (it has no way to change one) never matches
    # by its old value, and the worker's full pass reads the new one.
    Contact.objects.filter(pk=dana.pk).update(phone="+44 20 7946 0958")
    assert match_caller("+14155550100") is None
    assert do_index_contact_numbers() == 1
    assert match_caller("+442079460958") == dana
    Contact.objects.filter(pk=later.pk).update(phone="+1 212 555 0100")
    index_contact_numbers.call_local()  # the worker's pass, every ten minutes
    assert match_caller("+12125550100") == later
    older = make_contact(org, phone="020 7946 0958")  # no country code: a US number here, not Dana's
    assert match_caller("+442079460958") == dana and older.pk != dana.pk
