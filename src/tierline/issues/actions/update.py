"""Changing issues: one (`do_update_issue`, each real change its own timeline event) or many at
once (`do_update_issues`, the status, severity and alert level alert intake moves)."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from tierline.accounts.models import User
from tierline.customers.models import Organization
from tierline.errors import InvalidInput

from ..models import (
    EventKind,
    Issue,
    IssueEvent,
    Priority,
    Severity,
    Status,
)
from ..signals import send_events_recorded
from ._common import _check_choice, _check_tier, _clean_title, _record, _ref, _set_status

UPDATABLE_FIELDS = frozenset({
    "title", "description", "status", "severity", "priority", "tier", "assignee", "team", "component",
    "labels", "affected_users", "alert_level",
})
PRIORITY_INPUTS = ("severity", "affected_users", "alert_level")


def do_update_issue(issue: Issue, *, actor: User | None, at: datetime | None = None, **changes) -> Issue:
    """Change any of UPDATABLE_FIELDS; each real change gets its own timeline event. A new
    priority is kept as an override; a change of a priority input rescores the issue."""
    from tierline.escalation.clocks import sync_sla_clocks
    from tierline.triage.actions import apply_priority, clean_labels

    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise InvalidInput("Unknown fields", {f: "cannot be changed" for f in sorted(unknown)})
    if "title" in changes:
        changes["title"] = _clean_title(changes["title"])
    if "status" in changes:
        _check_choice("status", changes["status"], Status)
    if "severity" in changes:
        _check_choice("severity", changes["severity"], Severity)
    if "priority" in changes:
        _check_choice("priority", changes["priority"], Priority)
    if "tier" in changes:
        _check_tier(changes["tier"])
    if "labels" in changes:
        changes["labels"] = clean_labels(changes["labels"])
    if "alert_level" in changes:
        changes["alert_level"] = (changes["alert_level"] or "")[:16]
    if changes.get("assignee") is not None and changes["assignee"].is_customer:
        raise InvalidInput("Issues are assigned to staff", {"assignee": "not a staff member"})
    now = at or timezone.now()
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        update_fields: list[str] = []
        edited = {}
        for field in ("title", "description", "severity", "component", "labels", "affected_users",
                      "alert_level"):
            if field in changes and getattr(issue, field) != changes[field]:
                before = getattr(issue, field)
                setattr(issue, field, changes[field])
                update_fields.append(field)
                if field == "component":
                    edited[field] = {"from": _ref(before), "to": _ref(changes[field])}
                else:
                    edited[field] = {"from": before, "to": changes[field]}
        if edited:
            _record(issue, EventKind.FIELDS_CHANGED, actor=actor, at=now, fields=edited)
        if "status" in changes:
            _set_status(issue, changes["status"], actor, None, now, update_fields)
        for field, kind in (("assignee", EventKind.ASSIGNED), ("team", EventKind.TEAM_CHANGED)):
            if field in changes and getattr(issue, f"{field}_id") != getattr(changes[field], "pk", None):
                before = getattr(issue, field)
                setattr(issue, field, changes[field])
                update_fields.append(field)
                _record(issue, kind, actor=actor, at=now,
                        **{"from": _ref(before), "to": _ref(changes[field])})
        for field, kind in (("priority", EventKind.PRIORITY_CHANGED), ("tier", EventKind.TIER_CHANGED)):
            if field in changes and getattr(issue, field) != changes[field]:
                before = getattr(issue, field)
                setattr(issue, field, changes[field])
                update_fields.append(field)
                _record(issue, kind, actor=actor, at=now, **{"from": before, "to": changes[field]})
                if field == "priority":
                    issue.priority_override, issue.priority_override_by = changes[field], actor
                    issue.priority_override_reason = "set on the issue"
                    update_fields += ["priority_override", "priority_override_by", "priority_override_reason"]
        if any(field in update_fields for field in PRIORITY_INPUTS):
            update_fields += apply_priority(issue, actor=actor, at=now, reason="details changed")
        if update_fields:
            issue.updated_at = now
            issue.save(update_fields=[*dict.fromkeys(update_fields), "updated_at"])
            sync_sla_clocks(issue, now)
    return issue


BATCH_UPDATABLE_FIELDS = frozenset({"status", "severity", "alert_level"})


@dataclass
class IssueUpdate:
    """One change of `do_update_issues`: the issue, its new values, and timeline entries that
    belong just before the change (such as the alert that caused it)."""

    issue_id: int
    changes: dict
    preceded_by: list[IssueEvent] = field(default_factory=list)


def do_update_issues(updates: Sequence[IssueUpdate], *, actor: User | None, at: datetime | None = None,
                     then: Sequence[IssueEvent] = ()) -> dict[int, Issue]:
    """`do_update_issue` of the status, severity and alert level of many issues at once (alert
    intake): the same events, rescoring and SLA clock changes, in a fixed number of statements.
    The updates of one issue apply in their order; `then` are entries written after them all.
    Returns the issues by id, as they now are."""
    from tierline.bulk import insert_rows, update_rows
    from tierline.escalation.clocks import SlaClockBatch
    from tierline.triage.actions import apply_priority

    updates = [_checked_batch_update(update) for update in updates]
    now = at or timezone.now()
    events: list[IssueEvent] = []

    def record(issue, kind, *, actor=None, actor_contact=None, comment=None, at, **data):
        events.append(IssueEvent(issue=issue, kind=kind, actor=actor, actor_contact=actor_contact,
                                 comment=comment, data=data, created_at=at))

    def write_events():
        insert_rows(events)
        send_events_recorded(Issue, events)
        events.clear()

    # No savepoint, as in do_create_issues: inside a caller's transaction an error rolls it back whole.
    with transaction.atomic(savepoint=False):
        ids = sorted({update.issue_id for update in updates})
        issues = _locked_issues(ids)
        if len(issues) != len(ids):
            raise InvalidInput("Unknown issues", {"issue_id": f"no issue {sorted(set(ids) - set(issues))}"})
        clocks = SlaClockBatch(ids)
        written: dict[int, set[str]] = {}
        for update in updates:
            issue, changes, update_fields = issues[update.issue_id], update.changes, []
            events.extend(update.preceded_by)
            edited = {}
            for name in ("severity", "alert_level"):
                if name in changes and getattr(issue, name) != changes[name]:
                    edited[name] = {"from": getattr(issue, name), "to": changes[name]}
                    setattr(issue, name, changes[name])
                    update_fields.append(name)
            if edited:
                record(issue, EventKind.FIELDS_CHANGED, actor=actor, at=now, fields=edited)
            if "status" in changes:
                _set_status(issue, changes["status"], actor, None, now, update_fields, record=record)
            if any(name in update_fields for name in PRIORITY_INPUTS):
                write_events()  # rescoring writes its own entry, which comes after these
                update_fields += apply_priority(issue, actor=actor, at=now, reason="details changed")
            if update_fields:
                issue.updated_at = now
                written.setdefault(issue.pk, set()).update(update_fields, ["updated_at"])
                clocks.sync(issue, now)
        events.extend(then)
        write_events()
        if written:
            update_rows([issues[pk] for pk in sorted(written)], sorted(set().union(*written.values())))
        clocks.save()
    return issues


def _locked_issues(ids: list[int]) -> dict[int, Issue]:
    """The issues by id, locked, each with its organization (the priority rules and SLA clocks
    read it). Plain SQL: the ORM's compiling of this read costs more than running it."""
    from tierline.bulk import column_list, read_rows

    if not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    issues = {issue.pk: issue for issue in read_rows(
        Issue, f"SELECT {column_list(Issue)} FROM issues_issue WHERE id IN ({placeholders}) ORDER BY id{lock}", ids)}
    wanted = sorted({issue.organization_id for issue in issues.values() if issue.organization_id})
    if wanted:
        organizations = {organization.pk: organization for organization in read_rows(
            Organization, f"SELECT {column_list(Organization)} FROM customers_organization"
            f" WHERE id IN ({', '.join(['%s'] * len(wanted))})", wanted)}
        for issue in issues.values():
            if issue.organization_id:
                issue.organization = organizations[issue.organization_id]
    return issues


def _checked_batch_update(update: IssueUpdate) -> IssueUpdate:
    changes = dict(update.changes)
    unknown = set(changes) - BATCH_UPDATABLE_FIELDS
    if unknown:
        raise InvalidInput("Unknown fields", {f: "cannot be changed in a batch" for f in sorted(unknown)})
    if "status" in changes:
        _check_choice("status", changes["status"], Status)
    if "severity" in changes:
        _check_choice("severity", changes["severity"], Severity)
    if "alert_level" in changes:
        changes["alert_level"] = (changes["alert_level"] or "")[:16]
    return IssueUpdate(update.issue_id, changes, list(update.preceded_by))
