"""Changing SLA configuration: calendars, SLA policies and escalation policies are edited and
removed through their actions, and the open clocks they govern are re-planned."""

from datetime import UTC, datetime, time, timedelta

import pytest

from tests.factories import make_issue, make_org, make_staff
from tierline.errors import InvalidInput
from tierline.escalation.clocks import do_replan_sla_clocks
from tierline.escalation.models import EscalationRun, EscalationStep, SlaClock
from tierline.escalation.policies import sweep_sla_clocks
from tierline.escalation.sla import (
    do_create_business_calendar,
    do_create_escalation_policy,
    do_create_sla_policy,
    do_delete_business_calendar,
    do_delete_escalation_policy,
    do_delete_sla_policy,
    do_update_business_calendar,
    do_update_escalation_policy,
    do_update_sla_policy,
)
from tierline.issues.actions import do_add_comment, do_update_issue

pytestmark = pytest.mark.django_db
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Europe/London is on UTC in winter


@pytest.fixture
def calendar():
    return do_create_business_calendar(name="London office", time_zone="Europe/London", workday_start=time(9),
                                       workday_end=time(17))


def clock(issue, kind="resolution"):
    return SlaClock.objects.get(issue=issue, kind=kind)


def test_a_new_holiday_moves_the_due_times_of_open_clocks(calendar, django_capture_on_commit_callbacks):
    do_create_sla_policy(name="Business", plan="business", calendar=calendar, first_response_minutes=60,
                         next_response_minutes=60, resolution_minutes=960)
    issue = make_issue(make_org(plan="business"), at=MONDAY_9)
    done = make_issue(make_org(plan="business"), at=MONDAY_9)
    do_update_issue(done, actor=make_staff(), status="resolved", at=MONDAY_9 + timedelta(hours=1))
    assert clock(issue).due_at == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        do_update_business_calendar(calendar, holidays=["2026-12-01"])
    # Tuesday is now a holiday: the second working day is Wednesday.
    assert clock(issue).due_at == datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    assert clock(issue).next_check_at == clock(issue).warn_at
    assert clock(done).next_check_at is None  # paused while resolved: nothing for the sweep
    with django_capture_on_commit_callbacks(execute=True):
        do_update_business_calendar(calendar, time_zone="America/New_York", workday_start="08:00")
    # Monday 09:00 UTC is 04:00 in New York: the clock counts from 08:00 there (13:00 UTC).
    assert clock(issue, "first_response").due_at == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)


def test_changed_targets_re_plan_and_stopped_clocks_keep_their_history(calendar,
                                                                      django_capture_on_commit_callbacks):
    policy = do_create_sla_policy(name="Any", first_response_minutes=60, next_response_minutes=60,
                                  resolution_minutes=600)
    issue = make_issue(make_org(), at=MONDAY_9)
    met = make_issue(make_org(), at=MONDAY_9)
    do_add_comment(met, body="On it", is_public=True, author=make_staff(), at=MONDAY_9 + timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        do_update_sla_policy(policy, first_response_minutes=30, calendar=calendar)
    assert clock(issue, "first_response").target_minutes == 30
    assert clock(issue, "first_response").due_at == MONDAY_9 + timedelta(minutes=30)
    assert clock(issue).due_at == datetime(2026, 12, 1, 11, 0, tzinfo=UTC)  # 480 on Monday, 120 on Tuesday
    assert clock(met, "first_response").target_minutes == 60  # already met: left as it was


def test_a_more_specific_policy_takes_over_and_deleting_it_hands_back(django_capture_on_commit_callbacks):
    general = do_create_sla_policy(name="Any", first_response_minutes=600, next_response_minutes=600,
                                   resolution_minutes=6000)
    issue = make_issue(make_org(plan="enterprise"), severity=1, at=MONDAY_9)  # P0
    other = make_issue(make_org(plan="free"), severity=1, at=MONDAY_9)
    with django_capture_on_commit_callbacks(execute=True):
        urgent = do_create_sla_policy(name="Enterprise P0", plan="enterprise", priority=0,
                                      first_response_minutes=15, next_response_minutes=30, resolution_minutes=240)
    assert (clock(issue, "first_response").policy, clock(issue, "first_response").target_minutes) == (urgent, 15)
    assert clock(other, "first_response").policy == general
    with django_capture_on_commit_callbacks(execute=True):
        do_delete_sla_policy(urgent)
    assert (clock(issue, "first_response").policy, clock(issue, "first_response").target_minutes) == (general, 600)


def test_re_planning_is_a_no_op_the_second_time(calendar):
    do_create_sla_policy(name="Any", calendar=calendar, first_response_minutes=60, next_response_minutes=60,
                         resolution_minutes=600)
    for n in range(7):
        make_issue(make_org(), at=MONDAY_9 + timedelta(minutes=n))
    assert do_replan_sla_clocks({"calendar_id": calendar.pk}, batch=3) == 0


def test_calendar_and_policy_checks(calendar):
    with pytest.raises(InvalidInput) as error:
        do_update_business_calendar(calendar, time_zone="Mars/Olympus")
    assert error.value.fields == {"time_zone": "an IANA name such as Europe/Paris"}
    with pytest.raises(InvalidInput) as error:
        do_create_business_calendar(name="London office", time_zone="UTC", workday_start="09:00",
                                    workday_end="17:00")
    assert error.value.fields == {"name": "already used"}
    with pytest.raises(InvalidInput):
        do_update_business_calendar(calendar, workday_end="08:00")
    with pytest.raises(InvalidInput):
        do_update_business_calendar(calendar, holidays=["2026-02-30"])
    do_create_sla_policy(name="P1", priority=1, calendar=calendar, first_response_minutes=1,
                         next_response_minutes=1, resolution_minutes=1)
    with pytest.raises(InvalidInput) as error:
        do_delete_business_calendar(calendar)
    assert error.value.fields == {"calendar": "used by P1"}
    with pytest.raises(InvalidInput) as error:
        do_create_sla_policy(name="Again", priority=1, first_response_minutes=1, next_response_minutes=1,
                             resolution_minutes=1)
    assert error.value.fields == {"plan": "already covered"}
    with pytest.raises(InvalidInput):
        do_create_sla_policy(name="P9", priority=9, first_response_minutes=1, next_response_minutes=1,
                             resolution_minutes=1)


def test_escalation_policy_steps_are_edited_in_place_and_keep_what_they_ran(django_capture_on_commit_callbacks):
    do_create_sla_policy(name="Any", first_response_minutes=60, next_response_minutes=60, resolution_minutes=600)
    policy = do_create_escalation_policy(name="Warn", trigger="warning", clock_kind="first_response",
                                         actions=["notify_assignee", "notify_team_lead"])
    first = policy.steps.get(position=1)
    make_issue(make_org(), at=MONDAY_9)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_sla_clocks(MONDAY_9 + timedelta(minutes=50))
    assert EscalationRun.objects.count() == 2
    policy = do_update_escalation_policy(policy, name="Warn loudly", trigger="breach",
                                         actions=["notify_assignee", "page_on_call", "raise_tier"])
    assert (policy.name, policy.trigger) == ("Warn loudly", "breach")
    assert list(policy.steps.values_list("action", flat=True)) == ["notify_assignee", "page_on_call", "raise_tier"]
    assert policy.steps.get(position=1).pk == first.pk and first.runs.count() == 1
    policy = do_update_escalation_policy(policy, actions=["notify_assignee"], is_active=False)
    assert not policy.is_active and policy.steps.count() == 1
    with pytest.raises(InvalidInput):
        do_update_escalation_policy(policy, actions=["dance"])
    with pytest.raises(InvalidInput):
        do_update_escalation_policy(policy, trigger="sometimes")
    do_delete_escalation_policy(policy)
    assert not EscalationStep.objects.exists()


def test_targets_must_fit_the_calendars_working_time(calendar):
    minute = do_create_business_calendar(name="One minute a week", time_zone="UTC", workday_start="09:00",
                                         workday_end="09:01", weekdays=[0])
    with pytest.raises(InvalidInput) as error:
        do_create_sla_policy(name="Slow", calendar=minute, first_response_minutes=60, next_response_minutes=60,
                             resolution_minutes=500)
    assert list(error.value.fields) == ["calendar"]
    do_create_sla_policy(name="Year", calendar=calendar, first_response_minutes=60, next_response_minutes=60,
                         resolution_minutes=366 * 24 * 60)
    with pytest.raises(InvalidInput) as error:
        do_update_business_calendar(calendar, workday_end="09:05", weekdays=[0])
    assert list(error.value.fields) == ["workday_end"]
    with pytest.raises(InvalidInput):
        do_update_business_calendar(calendar, workday_start="09:00+02:00")
