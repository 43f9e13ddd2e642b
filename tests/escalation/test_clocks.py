"""SLA clocks on issues: started, stopped, paused and resumed by what happens to the issue."""

from datetime import UTC, datetime, time, timedelta

import pytest

from tests.factories import make_contact, make_issue, make_org, make_staff
from tierline.escalation.models import SlaClock
from tierline.escalation.sla import do_create_business_calendar, do_create_sla_policy
from tierline.issues.actions import do_add_comment, do_update_issue

pytestmark = pytest.mark.django_db
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def policy():
    calendar = do_create_business_calendar(name="London office", time_zone="Europe/London",
                                           workday_start=time(9), workday_end=time(17), holidays=["2026-12-25"])
    return do_create_sla_policy(name="Business P2", plan="business", priority=2, calendar=calendar,
                                first_response_minutes=60, next_response_minutes=120, resolution_minutes=960)


def clocks(issue):
    return {c.kind: c for c in SlaClock.objects.filter(issue=issue)}


def test_new_issue_starts_first_response_and_resolution(policy):
    issue = make_issue(make_org(plan="business"), at=MONDAY_9)
    found = clocks(issue)
    assert set(found) == {"first_response", "resolution"}
    assert found["first_response"].due_at == MONDAY_9 + timedelta(minutes=60)
    assert found["first_response"].warn_at == MONDAY_9 + timedelta(minutes=45)
    assert found["resolution"].due_at == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)  # two 8-hour days


def test_most_specific_policy_wins_and_no_policy_no_clock(policy):
    do_create_sla_policy(name="Anyone", first_response_minutes=600, next_response_minutes=600,
                         resolution_minutes=6000)
    assert clocks(make_issue(make_org(plan="business"), at=MONDAY_9))["first_response"].policy == policy
    assert clocks(make_issue(make_org(plan="free"), at=MONDAY_9))["first_response"].target_minutes == 600


def test_first_staff_reply_stops_first_response(policy):
    issue = make_issue(make_org(plan="business"), at=MONDAY_9)
    do_add_comment(issue, body="Looking", is_public=True, author=make_staff(), at=MONDAY_9 + timedelta(minutes=20))
    first = clocks(issue)["first_response"]
    assert first.stopped_at == MONDAY_9 + timedelta(minutes=20) and first.next_check_at is None


def test_pending_pauses_and_customer_reply_resumes(policy):
    org = make_org(plan="business")
    issue = make_issue(org, requester=make_contact(org), at=MONDAY_9)
    agent = make_staff()
    do_add_comment(issue, body="Which version?", is_public=True, author=agent, at=MONDAY_9 + timedelta(hours=1))
    do_update_issue(issue, actor=agent, status="pending", at=MONDAY_9 + timedelta(hours=2))
    resolution = clocks(issue)["resolution"]
    assert resolution.is_paused and resolution.next_check_at is None
    # The customer answers the next day at 11:00: eight business hours were paused.
    do_add_comment(issue, body="2.4.1", is_public=True, author_contact=issue.requester,
                   at=MONDAY_9 + timedelta(days=1, hours=2))
    found = clocks(issue)
    assert not found["resolution"].is_paused
    assert found["resolution"].paused_minutes == 480
    assert found["resolution"].due_at == datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    following = found["next_response"]
    assert following.due_at == MONDAY_9 + timedelta(days=1, hours=4)
    do_add_comment(issue, body="Fixed in 2.4.2", is_public=True, author=agent,
                   at=MONDAY_9 + timedelta(days=1, hours=3))
    assert clocks(issue)["next_response"].stopped_at is not None


def test_reopen_resumes_resolution_where_it_stopped(policy):
    issue = make_issue(make_org(plan="business"), at=MONDAY_9)
    agent = make_staff()
    do_update_issue(issue, actor=agent, status="resolved", at=MONDAY_9 + timedelta(hours=3))
    assert clocks(issue)["resolution"].is_paused
    # Reopened on Friday 11 December at 09:00 (after a weekend and 8 workdays).
    do_update_issue(issue, actor=agent, status="open", at=datetime(2026, 12, 11, 9, 0, tzinfo=UTC))
    resolution = clocks(issue)["resolution"]
    assert not resolution.is_paused
    # 3 hours used before resolving; 13 left from Friday 09:00 -> Monday 14:00.
    assert resolution.due_at == datetime(2026, 12, 14, 14, 0, tzinfo=UTC)


def test_priority_change_retargets_running_clocks(policy):
    do_create_sla_policy(name="Business P0", plan="business", priority=0, first_response_minutes=15,
                         next_response_minutes=30, resolution_minutes=240)
    issue = make_issue(make_org(plan="business"), at=MONDAY_9)
    do_update_issue(issue, actor=make_staff("support_t2"), priority=0, at=MONDAY_9 + timedelta(minutes=5))
    assert clocks(issue)["first_response"].due_at == MONDAY_9 + timedelta(minutes=15)


def test_resolution_runs_across_a_holiday_and_a_weekend(policy):
    # Thursday 24 December 16:00: one hour that day, Christmas (a holiday), the weekend, then Monday.
    issue = make_issue(make_org(plan="business"), at=datetime(2026, 12, 24, 16, 0, tzinfo=UTC))
    found = clocks(issue)
    assert found["first_response"].due_at == datetime(2026, 12, 24, 17, 0, tzinfo=UTC)
    assert found["first_response"].warn_at == datetime(2026, 12, 24, 16, 45, tzinfo=UTC)
    # 960 minutes: 60 on Thursday, 480 on Monday 28th, 420 on Tuesday 29th.
    assert found["resolution"].due_at == datetime(2026, 12, 29, 16, 0, tzinfo=UTC)


def test_clocks_count_the_calendars_own_working_hours():
    calendar = do_create_business_calendar(name="New York office", time_zone="America/New_York",
                                           workday_start=time(9), workday_end=time(17))
    do_create_sla_policy(name="US", plan="us", calendar=calendar, first_response_minutes=120,
                         next_response_minutes=120, resolution_minutes=480)
    # 09:00 UTC on Monday is 04:00 in New York: the clock starts at 09:00 there (14:00 UTC).
    issue = make_issue(make_org(plan="us"), at=MONDAY_9)
    found = clocks(issue)
    assert found["first_response"].due_at == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert found["resolution"].due_at == datetime(2026, 11, 30, 22, 0, tzinfo=UTC)  # 17:00 in New York
    # Pending from Monday 15:00 UTC to Tuesday 15:00 UTC: 8 business hours paused (10:00 to 10:00 local).
    agent = make_staff()
    do_update_issue(issue, actor=agent, status="pending", at=datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    do_update_issue(issue, actor=agent, status="open", at=datetime(2026, 12, 1, 15, 0, tzinfo=UTC))
    resolution = clocks(issue)["resolution"]
    assert resolution.paused_minutes == 480
    assert resolution.due_at == datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
