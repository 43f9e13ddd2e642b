"""do_update_issues: the batch of alert intake writes what do_update_issue writes, one by one."""

from datetime import timedelta

import pytest

from tests.factories import make_issue, make_org, make_staff
from tests.issues.clocks import MONDAY_9, clock_state
from tierline.errors import InvalidInput
from tierline.escalation.models import SlaClock
from tierline.issues.actions import IssueUpdate, do_update_issue, do_update_issues
from tierline.issues.models import EventKind, Issue, IssueEvent, Status

pytestmark = pytest.mark.django_db


def timeline(issue):
    return [(e.kind, e.actor_id, e.data) for e in IssueEvent.objects.filter(issue=issue).order_by("created_at", "id")]


STEPS = [
    [{"status": Status.RESOLVED}],
    [{"alert_level": "critical", "severity": 1}],  # rescored: a priority event, clocks retargeted
    [{"status": Status.RESOLVED}, {"status": Status.OPEN}],  # resolved and reopened at once
    [{"status": Status.PENDING}, {"alert_level": "warning"}, {"status": Status.OPEN}],
    [{"severity": 3}, {"status": Status.OPEN}],  # the second changes nothing
]


@pytest.mark.parametrize("steps", STEPS)
def test_the_batch_writes_the_same_timeline_rows_and_clocks_as_one_by_one(business_policies, steps):
    organization = make_org(plan="business")
    single, batched = (make_issue(organization, at=MONDAY_9, alert_level="warning", channel="alert")
                       for _ in range(2))
    later = MONDAY_9 + timedelta(hours=2)
    staff = make_staff()
    for changes in steps:
        do_update_issue(single, actor=staff, at=later, **changes)
    issues = do_update_issues([IssueUpdate(batched.pk, changes) for changes in steps], actor=staff, at=later)
    single.refresh_from_db()
    batched.refresh_from_db()
    assert issues[batched.pk].status == batched.status
    assert timeline(batched) == timeline(single)
    assert clock_state(batched) == clock_state(single)
    row = ("status", "severity", "alert_level", "priority", "computed_priority", "priority_score",
           "priority_explanation", "resolved_at", "updated_at")
    assert [getattr(batched, f) for f in row] == [getattr(single, f) for f in row]


def test_many_issues_in_a_fixed_number_of_statements(business_policies, django_assert_max_num_queries):
    organization = make_org(plan="business")
    issues = [make_issue(organization, at=MONDAY_9) for _ in range(20)]
    updates = [IssueUpdate(i.pk, {"status": Status.RESOLVED}) for i in issues]
    # issues, their organizations, clocks, policies, their calendars, events, issue rows, clock rows
    # (no savepoint inside the caller's transaction)
    with django_assert_max_num_queries(8):
        do_update_issues(updates, actor=None, at=MONDAY_9 + timedelta(hours=1))
    assert Issue.objects.filter(status=Status.RESOLVED).count() == 20
    assert SlaClock.objects.filter(paused_at__isnull=False).count() == 40


def test_entries_before_and_after_the_changes_keep_their_place(business_policies):
    issue = make_issue(make_org(plan="business"), at=MONDAY_9)
    at = MONDAY_9 + timedelta(hours=1)
    before = IssueEvent(issue_id=issue.pk, kind=EventKind.ALERT_RESOLVED, created_at=at, data={"n": 1})
    after = IssueEvent(issue_id=issue.pk, kind=EventKind.ALERT_FIRED, created_at=at, data={"n": 2})
    do_update_issues([IssueUpdate(issue.pk, {"status": Status.RESOLVED}, preceded_by=[before])], actor=None, at=at,
                     then=[after])
    assert [kind for kind, _, _ in timeline(issue)] == [
        EventKind.CREATED, EventKind.ALERT_RESOLVED, EventKind.STATUS_CHANGED, EventKind.ALERT_FIRED]


def test_fields_outside_the_batch_and_bad_values_are_refused_before_anything_is_written():
    issue = make_issue()
    for changes in ({"title": "x"}, {"status": "gone"}, {"severity": 9}):
        with pytest.raises(InvalidInput):
            do_update_issues([IssueUpdate(issue.pk, {"status": Status.RESOLVED}), IssueUpdate(issue.pk, changes)],
                             actor=None)
    issue.refresh_from_db()
    assert issue.status != Status.RESOLVED and IssueEvent.objects.filter(issue=issue).count() == 1
