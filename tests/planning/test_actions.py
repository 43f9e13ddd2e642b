"""Logging and removing time on an issue, and setting teams' budgets."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.factories import make_issue, make_staff, make_team
from tierline.accounts.actions import do_set_team_members
from tierline.audit.models import AuditEntry
from tierline.errors import InvalidInput, NotFound, PermissionDenied
from tierline.issues.models import EventKind
from tierline.planning.actions import do_log_time, do_remove_time_entry, do_set_team_budget
from tierline.planning.models import TimeEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform(db):
    return make_team("Platform", tier=4)


@pytest.fixture
def farah(platform):
    engineer = make_staff("engineer_t4", name="Farah")
    do_set_team_members(platform, [engineer])
    return engineer


def test_logged_time_is_an_entry_and_a_timeline_event(org, farah, platform):
    issue = make_issue(org, team=platform)
    entry = do_log_time(issue, actor=farah, minutes=90, note="Reproduced the timeout")
    assert (entry.minutes, entry.spent_on, entry.team, entry.user) == (90, timezone.localdate(), platform, farah)
    event = issue.events.get(kind=EventKind.TIME_LOGGED)
    assert event.actor == farah
    assert (event.data["minutes"], event.data["change"], event.data["note"]) == (90, "logged", "Reproduced the timeout")
    assert event.data["team"] == {"id": platform.pk, "name": "Platform"}


def test_time_counts_for_the_issues_team_when_the_engineer_is_in_it_else_their_own(org, farah, platform):
    core = make_team("Core", tier=5)
    hana = make_staff("senior_engineer_t5")
    do_set_team_members(core, [hana])
    do_set_team_members(platform, [farah, hana])
    assert do_log_time(make_issue(org, team=core), actor=hana, minutes=30).team == core
    assert do_log_time(make_issue(org), actor=hana, minutes=30).team == platform  # platform: her first team
    assert do_log_time(make_issue(org, team=core), actor=farah, minutes=30).team == platform
    assert do_log_time(make_issue(org), actor=make_staff("admin"), minutes=30).team is None


@pytest.mark.parametrize("fields,problem", [
    ({"minutes": 0}, "minutes"), ({"minutes": 24 * 60 + 1}, "minutes"), ({"minutes": "30"}, "minutes"),
    ({"minutes": 30, "spent_on": date.today() + timedelta(days=3)}, "spent_on"),
    ({"minutes": 30, "spent_on": date.today() - timedelta(days=400)}, "spent_on"),
    ({"minutes": 30, "note": "x" * 501}, "note"), ({"minutes": 30, "note": "a\x00b"}, "note"),
])
def test_bad_time_is_refused_and_nothing_is_written(org, farah, fields, problem):
    issue = make_issue(org)
    with pytest.raises(InvalidInput) as refused:
        do_log_time(issue, actor=farah, **fields)
    assert problem in refused.value.fields
    assert not TimeEntry.objects.exists() and not issue.events.filter(kind=EventKind.TIME_LOGGED).exists()


def test_an_engineer_removes_their_own_entry_within_a_day(org, farah):
    issue = make_issue(org)
    entry = do_log_time(issue, actor=farah, minutes=45)
    do_remove_time_entry(entry, actor=farah)
    entry.refresh_from_db()
    assert entry.is_removed and entry.removed_by == farah
    assert list(issue.events.filter(kind=EventKind.TIME_LOGGED).values_list("data__change", flat=True)) == [
        "logged", "removed"]
    with pytest.raises(NotFound):
        do_remove_time_entry(entry, actor=farah)


def test_older_or_others_entries_are_removed_only_by_admins(org, farah):
    issue = make_issue(org)
    old = do_log_time(issue, actor=farah, minutes=45, at=timezone.now() - timedelta(days=2))
    with pytest.raises(PermissionDenied, match="within a day"):
        do_remove_time_entry(old, actor=farah)
    fresh = do_log_time(issue, actor=farah, minutes=20)
    with pytest.raises(PermissionDenied):
        do_remove_time_entry(fresh, actor=make_staff("senior_engineer_t5"))
    admin = make_staff("admin")
    assert do_remove_time_entry(old, actor=admin).is_removed
    assert do_remove_time_entry(fresh, actor=admin).is_removed


def test_a_budget_change_is_a_new_row_and_an_audit_entry(platform):
    admin = make_staff("admin")
    first = do_set_team_budget(platform, actor=admin, hours=16, period_weeks=2, starts_on=date(2026, 6, 1))
    second = do_set_team_budget(platform, actor=admin, hours="24.5", starts_on=date(2026, 10, 5), reason="Migration")
    assert first.weekly_hours == 8.0 and second.weekly_hours == 24.5
    assert list(platform.unplanned_budgets.values_list("pk", flat=True)) == [first.pk, second.pk]
    audit = AuditEntry.objects.filter(action="planning.budget_set").order_by("id")
    assert [(a.target_id, a.reason, a.data["hours"]) for a in audit] == [
        (str(platform.pk), "", "16.00"), (str(platform.pk), "Migration", "24.50")]


@pytest.mark.parametrize("fields,problem", [
    ({"hours": -1}, "hours"), ({"hours": "lots"}, "hours"), ({"hours": "NaN"}, "hours"),
    ({"hours": 10, "period_weeks": 0}, "period_weeks"), ({"hours": 10, "period_weeks": 13}, "period_weeks"),
    ({"hours": 10, "reason": "x" * 501}, "reason"),
])
def test_bad_budgets_are_refused(platform, fields, problem):
    with pytest.raises(InvalidInput) as refused:
        do_set_team_budget(platform, actor=None, starts_on=date(2026, 11, 2), **fields)
    assert problem in refused.value.fields
    assert not platform.unplanned_budgets.exists() and not AuditEntry.objects.filter(
        action="planning.budget_set").exists()
