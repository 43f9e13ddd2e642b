"""tierline.bulk: rows written by `update_rows` are what `save` writes, by `insert_rows` what
`bulk_create` writes; rows read by `read_rows` are what `Model.objects.raw` reads."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict

from tests.factories import make_issue, make_org
from tierline.bulk import insert_rows, read_rows, update_rows
from tierline.intake.actions import do_create_integration
from tierline.intake.models import AlertGroup
from tierline.issues.models import Issue, IssueEvent

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture
def groups():
    integration = do_create_integration(slug="prom", source="alertmanager")
    return [AlertGroup.objects.create(integration=integration, fingerprint=f"fp{n}", issue=make_issue(),
                                      title=f"Alert {n}", first_seen=NOON, last_seen=NOON) for n in range(4)]


def _change(group, n, issue):
    """Every kind of value: repeated over the rows (a time, a status), different per row, a JSON
    list, a boolean, a foreign key, and values of another type than the field's own."""
    group.last_seen = NOON + timedelta(minutes=5)
    group.first_seen = NOON - timedelta(minutes=n)
    group.state = "resolved"
    group.received_count = n + 2
    group.fired_count = str(n)  # prepared as the field would: an integer
    group.recent_changes = [NOON.isoformat(), str(n)] if n % 2 else []
    group.is_flapping = bool(n % 2)
    group.last_starts_at = ""
    group.issue_id = issue.pk


NAMES = ["last_seen", "first_seen", "state", "received_count", "fired_count", "recent_changes", "is_flapping",
         "last_starts_at", "issue"]


def test_update_rows_writes_what_save_writes(groups):
    issue = make_issue(title="Another one")
    saved, updated = groups[:2], groups[2:]
    for n, group in enumerate(saved):
        _change(group, n, issue)
        group.save(update_fields=NAMES)
    for n, group in enumerate(updated):
        _change(group, n, issue)
    update_rows(updated, NAMES)
    ignored = ("id", "fingerprint", "title")
    fresh = {g.pk: model_to_dict(g, exclude=ignored) for g in AlertGroup.objects.all()}
    assert [fresh[g.pk] for g in updated] == [fresh[g.pk] for g in saved]
    assert fresh[updated[1].pk]["recent_changes"] == [NOON.isoformat(), "1"]
    assert fresh[updated[0].pk]["fired_count"] == 0 and fresh[updated[1].pk]["issue"] == issue.pk


def test_update_rows_leaves_other_fields_and_rows_alone(groups):
    groups[0].title, groups[0].state = "Changed in memory only", "resolved"
    update_rows(groups[:1], ["state"])
    assert AlertGroup.objects.get(pk=groups[0].pk).title == "Alert 0"
    assert list(AlertGroup.objects.order_by("id").values_list("state", flat=True)) == ["resolved"] + ["firing"] * 3


def test_nullable_fields_are_written_as_null():
    issue = make_issue(organization=make_org(), affected_users=40)
    issue.affected_users, issue.organization_id = None, None
    update_rows([issue], ["affected_users", "organization"])
    assert Issue.objects.filter(pk=issue.pk, affected_users__isnull=True, organization__isnull=True).exists()


def _read(groups_sql: str, params):
    return read_rows(AlertGroup, groups_sql, params), list(AlertGroup.objects.raw(groups_sql, params))


def _as_read(group, extra=()):
    return model_to_dict(group), [getattr(group, name) for name in extra], group._state.adding, group._state.db


def test_read_rows_reads_what_raw_reads_with_extra_columns(groups):
    groups[1].recent_changes = [NOON.isoformat()]
    groups[1].save()
    sql = ("SELECT g.*, i.title AS issue_title, i.severity AS issue_severity FROM intake_alertgroup g"
           " JOIN issues_issue i ON i.id = g.issue_id WHERE g.id IN (%s, %s) ORDER BY g.id")
    fast, raw = _read(sql, [groups[0].pk, groups[1].pk])
    extra = ("issue_title", "issue_severity")
    assert [_as_read(g, extra) for g in fast] == [_as_read(g, extra) for g in raw]
    assert fast[1].last_seen == NOON and fast[1].recent_changes == [NOON.isoformat()]  # converted, decoded
    assert fast[0].issue_title == groups[0].issue.title


def test_read_rows_defers_the_columns_it_did_not_select(groups):
    sql = "SELECT last_seen, state, id FROM intake_alertgroup WHERE id = %s"
    fast, raw = _read(sql, [groups[2].pk])
    assert fast[0].get_deferred_fields() == raw[0].get_deferred_fields()
    assert (fast[0].pk, fast[0].state, fast[0].last_seen) == (groups[2].pk, "firing", NOON)
    assert fast[0].title == "Alert 2"  # loaded when first used, as with raw
    assert _read(sql, [0]) == ([], [])


def test_read_rows_needs_the_primary_key_and_distinct_columns(groups):
    with pytest.raises(ValueError):
        read_rows(AlertGroup, "SELECT state FROM intake_alertgroup", [])
    with pytest.raises(ValueError):
        read_rows(AlertGroup, "SELECT g.id, i.id FROM intake_alertgroup g JOIN issues_issue i ON i.id = g.issue_id",
                  [])


def _entries(issue, actor_contact=None):
    return [IssueEvent(issue=issue, kind="alert_fired", created_at=NOON + timedelta(seconds=n),
                       actor_contact=actor_contact, data={"n": n, "labels": {"a": [1, None]}}) for n in range(3)]


def test_insert_rows_writes_what_bulk_create_writes():
    from tests.factories import make_contact

    issue = make_issue()
    contact = make_contact(make_org())
    created = IssueEvent.objects.bulk_create(_entries(issue, contact))
    inserted = _entries(issue, contact)
    insert_rows(inserted)
    assert all(entry.pk is None for entry in inserted)  # ids are not read back
    rows = {e.pk: model_to_dict(e, exclude=("id",)) for e in IssueEvent.objects.filter(issue=issue, kind="alert_fired")}
    assert len(rows) == 6
    assert [rows[e.pk] for e in created] == sorted((r for pk, r in rows.items() if pk not in {e.pk for e in created}),
                                                   key=lambda r: r["created_at"])


def test_insert_rows_fails_on_a_duplicate_like_bulk_create(groups):
    """A concurrent worker's group with the same fingerprint makes the batch fail, to be retried."""
    twin = AlertGroup(integration=groups[0].integration, fingerprint=groups[0].fingerprint, issue=groups[0].issue,
                      title="twin", first_seen=NOON, last_seen=NOON)
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows([twin])
    assert AlertGroup.objects.count() == 4
