"""Calls and SLA clocks: an agent's call that reached the customer answers them like a public
reply, on business-hours clocks, at the time of the call (however late it is logged); so does
the company's own call that a phone line reports answered on an issue already open."""

from datetime import UTC, datetime, time, timedelta
from email.utils import format_datetime

import pytest
from django.utils import timezone

from tests.calls.helpers import make_phone_line, status_callback
from tests.factories import make_contact, make_issue, make_org
from tierline.calls.actions import do_log_call, do_open_issue_from_call
from tierline.escalation.models import SlaClock
from tierline.escalation.policies import sweep_sla_clocks
from tierline.escalation.sla import do_create_business_calendar, do_create_sla_policy
from tierline.issues.actions import do_add_comment
from tierline.issues.models import Channel, Issue, Status

pytestmark = pytest.mark.django_db
FRIDAY_1630 = datetime(2026, 11, 27, 16, 30, tzinfo=UTC)  # London is on UTC in winter
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def customer():
    calendar = do_create_business_calendar(name="London office", time_zone="Europe/London",
                                           workday_start=time(9), workday_end=time(17))
    do_create_sla_policy(name="Business", plan="business", calendar=calendar, first_response_minutes=60,
                         next_response_minutes=120, resolution_minutes=960)
    return make_org(name="Acme Robotics", plan="business")


def clocks(issue) -> dict[str, SlaClock]:
    return {c.kind: c for c in SlaClock.objects.filter(issue=issue)}


def log(issue, agent, *, at, started_at=None, direction="outbound", outcome="call_back"):
    return do_log_call(issue, actor=agent, direction=direction, caller_number="+14155550100", outcome=outcome,
                       duration_seconds=240, started_at=started_at, at=at)


def test_an_outbound_call_meets_the_first_response_clock_in_business_hours(customer, agent):
    issue = make_issue(customer, at=FRIDAY_1630)
    first = clocks(issue)["first_response"]
    assert first.due_at == MONDAY_9 + timedelta(minutes=30)  # 30 minutes on Friday, 30 on Monday
    # Called at 09:10 on Monday, logged ten minutes later.
    log(issue, agent, started_at=MONDAY_9 + timedelta(minutes=10), at=MONDAY_9 + timedelta(minutes=20))
    issue.refresh_from_db()
    first = clocks(issue)["first_response"]
    assert issue.first_response_at == first.stopped_at == MONDAY_9 + timedelta(minutes=10)
    assert first.next_check_at is None and issue.status == Status.OPEN
    sweep_sla_clocks(MONDAY_9 + timedelta(hours=2))
    first.refresh_from_db()
    assert first.breached_at is None and first.warned_at is None
    assert clocks(issue)["resolution"].stopped_at is None  # a call that did not resolve it


def test_a_call_logged_too_late_is_still_a_breach(customer, agent):
    issue = make_issue(customer, at=FRIDAY_1630)
    log(issue, agent, at=MONDAY_9 + timedelta(minutes=45))
    first = clocks(issue)["first_response"]
    assert first.stopped_at == MONDAY_9 + timedelta(minutes=45) > first.due_at


@pytest.mark.parametrize("direction,outcome,counts", [
    ("outbound", "call_back", True), ("outbound", "voicemail", True), ("outbound", "answered", True),
    ("inbound", "answered", True), ("inbound", "escalated", True), ("inbound", "call_back", True),
    ("outbound", "no_answer", False), ("outbound", "busy", False), ("outbound", "failed", False),
    ("inbound", "voicemail", False), ("inbound", "no_answer", False),
])
def test_which_calls_are_a_response(customer, agent, direction, outcome, counts):
    issue = make_issue(customer, at=MONDAY_9)
    log(issue, agent, direction=direction, outcome=outcome, at=MONDAY_9 + timedelta(minutes=5))
    issue.refresh_from_db()
    assert (issue.first_response_at is not None) is counts
    assert (clocks(issue)["first_response"].stopped_at is not None) is counts
    assert issue.status == (Status.OPEN if counts else Status.NEW)


def test_a_call_only_the_phone_line_reported_answers_nobody(customer, post_callback):
    make_contact(customer, phone="+14155550100")
    post_callback(make_phone_line(), status_callback())
    issue = Issue.objects.get()
    assert issue.first_response_at is None and clocks(issue)["first_response"].stopped_at is None
    assert issue.status == Status.NEW


def test_a_call_answers_the_customers_next_message_only_if_it_came_after_it(customer, agent):
    issue = make_issue(customer, requester=make_contact(customer), at=MONDAY_9)
    do_add_comment(issue, body="Looking", is_public=True, author=agent, at=MONDAY_9 + timedelta(minutes=5))
    do_add_comment(issue, body="Still broken", is_public=True, author_contact=issue.requester,
                   at=MONDAY_9 + timedelta(hours=1))
    # A call from before the customer's message, logged after it, does not answer it...
    log(issue, agent, started_at=MONDAY_9 + timedelta(minutes=30), at=MONDAY_9 + timedelta(hours=1, minutes=5))
    assert clocks(issue)["next_response"].stopped_at is None
    # ...the next one does, at the time of the call.
    log(issue, agent, started_at=MONDAY_9 + timedelta(hours=1, minutes=20), at=MONDAY_9 + timedelta(hours=2))
    following = clocks(issue)["next_response"]
    assert following.stopped_at == MONDAY_9 + timedelta(hours=1, minutes=20) and following.next_check_at is None
    issue.refresh_from_db()
    assert issue.first_response_at == MONDAY_9 + timedelta(minutes=5)  # the first response stays the first


def test_an_issue_opened_from_an_answered_call_has_had_its_first_response(customer, agent):
    make_contact(customer, phone="+14155550100")
    call = do_open_issue_from_call(actor=agent, title="Export fails", direction="inbound",
                                   caller_number="+14155550100", outcome="escalated",
                                   started_at=MONDAY_9 - timedelta(minutes=20), at=MONDAY_9 + timedelta(minutes=3))
    issue = call.issue
    issue.refresh_from_db()
    # The call started before the issue existed: the response is counted when the issue opens.
    assert issue.first_response_at == issue.created_at == MONDAY_9 + timedelta(minutes=3)
    assert clocks(issue)["first_response"].stopped_at == issue.created_at and issue.status == Status.OPEN


def test_a_call_resolved_on_the_phone_stops_every_clock(customer, agent):
    issue = make_issue(customer, at=MONDAY_9)
    log(issue, agent, outcome="resolved", at=MONDAY_9 + timedelta(minutes=10))
    issue.refresh_from_db()
    found = clocks(issue)
    assert issue.status == Status.RESOLVED and found["first_response"].stopped_at == MONDAY_9 + timedelta(minutes=10)
    assert found["resolution"].is_paused and found["resolution"].next_check_at is None


def test_a_customers_call_takes_an_issue_waiting_on_them_back_to_open(customer, agent, post_callback):
    from tierline.issues.actions import do_update_issue

    make_contact(customer, phone="+14155550100")
    line = make_phone_line()
    post_callback(line, status_callback())
    issue = Issue.objects.get()
    do_update_issue(issue, actor=agent, status=Status.PENDING)
    assert clocks(issue)["resolution"].is_paused
    post_callback(line, status_callback())  # the customer calls again: the same issue, back to open
    issue.refresh_from_db()
    assert issue.status == Status.OPEN and issue.calls.count() == 2
    assert not clocks(issue)["resolution"].is_paused
    # An agent's outbound call does not: the issue still waits on the customer.
    do_update_issue(issue, actor=agent, status=Status.PENDING)
    log(issue, agent, outcome="voicemail", at=None)
    issue.refresh_from_db()
    assert issue.status == Status.PENDING


def twilio_time(at: datetime) -> str:
    return format_datetime(at.astimezone(UTC))  # as Twilio writes Timestamp: "Sat, 28 Nov 2026 10:00:00 +0000"


def outbound_call(**fields) -> dict:
    """The company's call to the customer, placed through Twilio's API, as its status callback reports it."""
    return status_callback(**{"Direction": "outbound-api", "From": "+18005550199", "To": "+14155550100", **fields})


@pytest.fixture
def phone_issue(customer):
    """The customer's open phone issue, from an hour ago: the next call with them joins it."""
    dana = make_contact(customer, phone="+14155550100")
    at = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    return make_issue(customer, requester=dana, channel=Channel.PHONE, at=at)


def test_the_companys_answered_call_reported_by_the_line_is_the_response(phone_issue, post_callback):
    ended = timezone.now().replace(microsecond=0) - timedelta(minutes=10)
    post_callback(make_phone_line(), outbound_call(CallDuration="240", Timestamp=twilio_time(ended)))
    issue = Issue.objects.get()
    assert issue.calls.count() == 1  # it joined the open issue
    # At the time of the call (Twilio's report less its length), not when the worker read it.
    assert issue.first_response_at == clocks(issue)["first_response"].stopped_at == ended - timedelta(seconds=240)
    assert issue.status == Status.OPEN


@pytest.mark.parametrize("fields", [
    {"Direction": "inbound", "From": "+14155550100", "To": "+18005550199"},  # the customer called us
    {"CallStatus": "no-answer", "CallDuration": "0"}, {"CallStatus": "busy", "CallDuration": "0"},
    {"CallStatus": "canceled", "CallDuration": "0"}, {"CallStatus": "failed", "CallDuration": "0"},
    {"CallDuration": "0"},  # picked up and hung up at once
], ids=["inbound", "no-answer", "busy", "canceled", "failed", "no-length"])
def test_reported_calls_that_answer_nobody(phone_issue, post_callback, fields):
    post_callback(make_phone_line(), outbound_call(**fields))
    issue = Issue.objects.get()
    assert issue.calls.count() == 1
    assert issue.first_response_at is None and clocks(issue)["first_response"].stopped_at is None
    assert issue.status == Status.NEW


def test_a_call_reported_step_by_step_answers_when_it_ends(phone_issue, post_callback):
    line, sid = make_phone_line(), "CA" + "4" * 32
    placed = timezone.now().replace(microsecond=0) - timedelta(minutes=20)
    for n, status in enumerate(["initiated", "ringing", "in-progress"]):
        post_callback(line, outbound_call(CallSid=sid, CallStatus=status, CallDuration=None, SequenceNumber=str(n),
                                          Timestamp=twilio_time(placed + timedelta(seconds=10 * n))))
        phone_issue.refresh_from_db()
        assert phone_issue.first_response_at is None  # not over yet: nobody knows whether it got through
    post_callback(line, outbound_call(CallSid=sid, CallStatus="completed", CallDuration="300", SequenceNumber="3",
                                      Timestamp=twilio_time(placed + timedelta(minutes=5, seconds=20))))
    phone_issue.refresh_from_db()
    assert phone_issue.first_response_at == placed == clocks(phone_issue)["first_response"].stopped_at


def test_a_reported_call_that_opens_its_issue_answers_nothing(customer, post_callback):
    make_contact(customer, phone="+14155550100")
    post_callback(make_phone_line(), outbound_call())  # no open phone issue: it opens one
    issue = Issue.objects.get()
    assert issue.title == "Call to ••••••0100" and issue.first_response_at is None
    assert clocks(issue)["first_response"].stopped_at is None


def test_a_reported_call_answers_the_customers_message_only_if_it_came_after_it(phone_issue, post_callback, agent):
    now = timezone.now().replace(microsecond=0)
    do_add_comment(phone_issue, body="Looking", is_public=True, author=agent, at=now - timedelta(minutes=50))
    do_add_comment(phone_issue, body="Still broken", is_public=True, author_contact=phone_issue.requester,
                   at=now - timedelta(minutes=30))
    line = make_phone_line()
    post_callback(line, outbound_call(CallDuration="60", Timestamp=twilio_time(now - timedelta(minutes=39))))
    assert clocks(phone_issue)["next_response"].stopped_at is None  # the call was over before they wrote
    post_callback(line, outbound_call(CallDuration="60", Timestamp=twilio_time(now - timedelta(minutes=9))))
    assert clocks(phone_issue)["next_response"].stopped_at == now - timedelta(minutes=10)
    phone_issue.refresh_from_db()
    assert phone_issue.first_response_at == now - timedelta(minutes=50)
