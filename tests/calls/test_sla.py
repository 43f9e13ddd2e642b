"""Calls and SLA clocks: an agent's call that reached the customer answers them like a public
reply, on business-hours clocks, at the time of the call (however late it is logged)."""

from datetime import UTC, datetime, time, timedelta

import pytest

from tests.calls.helpers import make_phone_line, status_callback
from tests.factories import make_contact, make_issue, make_org
from tierline.calls.actions import do_log_call, do_open_issue_from_call
from tierline.escalation.models import SlaClock
from tierline.escalation.policies import sweep_sla_clocks
from tierline.escalation.sla import do_create_business_calendar, do_create_sla_policy
from tierline.issues.actions import do_add_comment
from tierline.issues.models import Issue, Status

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
