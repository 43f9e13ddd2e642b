"""The fact rows are derived data: the worker's refresh of what changed and a rebuild from scratch
give the same rows."""

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict

from tests.factories import make_team
from tests.insights.helpers import T0, escalate, issue_answered_after, resolve
from tierline.insights.actions import do_rebuild_issue_facts, do_refresh_changed_facts, do_refresh_issue_facts
from tierline.insights.models import IssueFact
from tierline.issues.actions import do_update_issue

pytestmark = pytest.mark.django_db


def _facts() -> dict:
    return {f.issue_id: {k: v for k, v in model_to_dict(f).items() if k != "refreshed_at"}
            for f in IssueFact.objects.all()}


def test_refreshing_what_changed_gives_the_same_rows_as_a_rebuild():
    first = issue_answered_after(10, created=T0)
    second = issue_answered_after(20, created=T0 + timedelta(hours=1))
    assert do_refresh_changed_facts(now=T0 + timedelta(hours=2)) == 2  # the first run builds everything
    escalate(first, 2, T0 + timedelta(hours=3), team=make_team(tier=2))
    resolve(second, None, T0 + timedelta(hours=4))
    third = issue_answered_after(5, created=T0 + timedelta(hours=5))
    assert do_refresh_changed_facts(now=T0 + timedelta(hours=6)) == 3
    refreshed = _facts()
    assert refreshed[first.pk]["max_tier"] == 2 and refreshed[first.pk]["hand_offs"] == 1
    assert refreshed[second.pk]["resolution_minutes"] == 180 and not refreshed[second.pk]["is_open"]
    assert third.pk in refreshed
    do_rebuild_issue_facts(now=T0 + timedelta(hours=6))
    assert _facts() == refreshed


def test_a_quiet_run_refreshes_nothing_and_a_reopened_issue_is_open_again():
    issue = issue_answered_after(10, resolved_after=30, created=T0)
    do_refresh_changed_facts(now=T0 + timedelta(hours=1))
    assert do_refresh_changed_facts(now=T0 + timedelta(days=1)) == 0
    do_update_issue(issue, actor=None, status="open", at=T0 + timedelta(days=2))
    do_refresh_changed_facts(now=T0 + timedelta(days=2, minutes=1))
    fact = IssueFact.objects.get()
    assert fact.is_open and fact.reopen_count == 1 and fact.resolution_minutes is None


def test_refresh_in_batches_costs_the_same_statements_per_batch(django_assert_max_num_queries):
    issues = [issue_answered_after(10, created=T0 + timedelta(minutes=n)) for n in range(30)]
    with django_assert_max_num_queries(8):
        assert do_refresh_issue_facts([i.pk for i in issues]) == 30


def test_snapshots_are_the_computed_rows_until_the_facts_change():
    from tierline.insights.actions import do_snapshot_default_tables
    from tierline.insights.models import TableSnapshot
    from tierline.insights.queries import parse_filters
    from tierline.insights.tables import TABLES, table_rows

    issue_answered_after(10, created=T0)
    do_rebuild_issue_facts()
    assert do_snapshot_default_tables() == len(TABLES)
    filters = parse_filters({"since": "2026-05-01", "until": "2026-07-31"})
    computed = {name: TABLES[name].compute(filters) for name in TABLES}
    assert {name: table_rows(name, filters) for name in TABLES} == computed  # computed and kept
    assert {name: table_rows(name, filters) for name in TABLES} == computed  # read back, weeks as dates
    issue_answered_after(20, created=T0 + timedelta(hours=1))
    do_refresh_changed_facts()
    assert sum(r["issues"] for r in table_rows("inflow-by-channel", filters)) == 2  # the old snapshot is stale
    assert TableSnapshot.objects.filter(name="inflow-by-channel").count() == 2  # default view and this one
