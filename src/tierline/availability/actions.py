"""Every write of availability: outages (recorded by staff, or followed from alerts) and
objectives.

`do_record_outage` and `do_change_outage` write the outage and an `outage_recorded` entry on
the timeline of each issue it is linked to, in one transaction. `do_sync_alert_outages` (run by
the worker every minute) reads the `alert_fired` / `alert_resolved` events written since its
cursor: an alert issue of a high enough level opens an outage at its first firing and ends it
when the alert resolves. `do_set_objective` / `do_remove_objective` are audited.
"""

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tierline.audit.actions import AuditAction, do_record_audit
from tierline.customers.models import Plan
from tierline.errors import InvalidInput
from tierline.issues.models import Channel, EventKind, IssueEvent

from .models import AlertOutageCursor, Objective, Outage, OutageSource
from .slo import percent_text

UNCHANGED = object()
LEVEL_RANK = {"info": 1, "warning": 2, "error": 3, "critical": 4}
LOWEST_TARGET, HIGHEST_TARGET = Decimal("50"), Decimal("99.999")
CLOCK_SKEW = timedelta(minutes=5)  # a start or end this far ahead is a typo, not a prediction


def _check_times(started_at, ended_at, problems: dict) -> None:
    latest = timezone.now() + CLOCK_SKEW
    if not isinstance(started_at, datetime) or started_at.tzinfo is None:
        problems["started_at"] = "a date and time with a time zone"
    elif started_at > latest:
        problems["started_at"] = "not in the future"
    if ended_at is not None:
        if not isinstance(ended_at, datetime) or ended_at.tzinfo is None:
            problems["ended_at"] = "a date and time with a time zone"
        elif ended_at > latest:
            problems["ended_at"] = "not in the future (leave it empty while the outage goes on)"
        elif "started_at" not in problems and ended_at <= started_at:
            problems["ended_at"] = "after the start"


def _check(outage: dict) -> None:
    problems: dict[str, str] = {}
    title = outage["title"]
    if not title.strip():
        problems["title"] = "required"
    elif len(title) > 300 or "\x00" in title:
        problems["title"] = "at most 300 characters, no NUL characters"
    if outage["source"] not in OutageSource.values:
        problems["source"] = f"one of {', '.join(OutageSource.values)}"
    _check_times(outage["started_at"], outage["ended_at"], problems)
    if not (outage["is_global"] or outage["organizations"] or outage["components"]):
        problems["scope"] = "everyone, or at least one organization or component"
    if problems:
        raise InvalidInput("Invalid outage", problems)


def scope_data(outage: Outage) -> dict:
    return {"is_global": outage.is_global,
            "organizations": [{"id": o.pk, "name": o.name} for o in outage.organizations.all()],
            "components": [{"id": c.pk, "name": c.name} for c in outage.components.all()]}


def _record_events(outage: Outage, issues, change: str, *, actor, at: datetime) -> None:
    """The outage as it now is, on each linked issue's timeline (append-only: a copy, not a link)."""
    data = {"outage": outage.pk, "change": change, "title": outage.title, "source": outage.source,
            "started_at": outage.started_at.isoformat(),
            "ended_at": outage.ended_at.isoformat() if outage.ended_at else None, **scope_data(outage)}
    IssueEvent.objects.bulk_create([
        IssueEvent(issue=issue, kind=EventKind.OUTAGE_RECORDED, actor=actor if actor and actor.is_authenticated
                   else None, data=data, created_at=at) for issue in issues
    ])


@transaction.atomic
def do_record_outage(*, actor, title: str, started_at: datetime, ended_at: datetime | None = None,
                     source: str = OutageSource.STAFF, is_global: bool = False, organizations=(), components=(),
                     issues=(), alert_issue=None, at: datetime | None = None) -> Outage:
    organizations, components, issues = list(organizations), list(components), list(issues)
    title = (title or "").strip()
    _check({"title": title, "source": source, "started_at": started_at, "ended_at": ended_at,
            "is_global": is_global, "organizations": organizations, "components": components})
    at = at or timezone.now()
    outage = Outage.objects.create(
        title=title, started_at=started_at, ended_at=ended_at, source=source, is_global=is_global,
        alert_issue=alert_issue, created_by=actor if actor and actor.is_authenticated else None,
        created_at=at, updated_at=at,
    )
    outage.organizations.set(organizations)
    outage.components.set(components)
    outage.issues.set(issues)
    _record_events(outage, issues, "recorded", actor=actor, at=at)
    return outage


@transaction.atomic
def do_change_outage(outage: Outage, *, actor, title=UNCHANGED, started_at=UNCHANGED, ended_at=UNCHANGED,
                     is_global=UNCHANGED, organizations=UNCHANGED, components=UNCHANGED, issues=UNCHANGED,
                     at: datetime | None = None) -> Outage:
    """End an outage, correct its times, change its scope or its issues; each linked issue
    (those added included) gets the outage as it now is on its timeline."""
    outage = Outage.objects.select_for_update().get(pk=outage.pk)
    current = {"title": outage.title, "source": outage.source, "started_at": outage.started_at,
               "ended_at": outage.ended_at, "is_global": outage.is_global,
               "organizations": list(outage.organizations.all()), "components": list(outage.components.all())}
    asked = {"title": title.strip() if isinstance(title, str) else title, "started_at": started_at,
             "ended_at": ended_at, "is_global": is_global, "organizations": organizations, "components": components}
    changed = {name: list(value) if name in ("organizations", "components") else value
               for name, value in asked.items() if value is not UNCHANGED}
    _check({**current, **changed})
    if changed.get("ended_at", 0) is None and outage.ended_at is not None and outage.alert_issue_id and \
            Outage.objects.filter(alert_issue_id=outage.alert_issue_id, ended_at=None).exists():
        raise InvalidInput("Invalid outage", {"ended_at": "its alert has another outage open"})
    for name in ("title", "started_at", "ended_at", "is_global"):
        if name in changed:
            setattr(outage, name, changed[name])
    at = at or timezone.now()
    outage.updated_at = at
    outage.save()
    if "organizations" in changed:
        outage.organizations.set(changed["organizations"])
    if "components" in changed:
        outage.components.set(changed["components"])
    if issues is not UNCHANGED:
        outage.issues.set(list(issues))
    ended = "ended_at" in changed and changed["ended_at"] is not None and current["ended_at"] is None
    _record_events(outage, outage.issues.all(), "ended" if ended and len(changed) == 1 else "changed",
                   actor=actor, at=at)
    return outage


def _is_outage_level(level: str) -> bool:
    return LEVEL_RANK.get(level, 0) >= LEVEL_RANK.get(settings.OUTAGE_ALERT_LEVEL, LEVEL_RANK["critical"])


def do_sync_alert_outages(*, batch: int = 500) -> int:
    """Turn the alert events written since the cursor into outage changes; returns how many.
    Idempotent: the cursor moves in the same transaction as the outages it caused, an alert issue
    has at most one open outage, and a repeated firing while it is open changes nothing."""
    count = 0
    while True:
        with transaction.atomic():
            AlertOutageCursor.objects.get_or_create(pk=1)
            cursor = AlertOutageCursor.objects.select_for_update().get(pk=1)
            events = list(IssueEvent.objects.filter(
                pk__gt=cursor.last_event_id, kind__in=[EventKind.ALERT_FIRED, EventKind.ALERT_RESOLVED],
            ).select_related("issue").order_by("pk")[:batch])
            if not events:
                return count
            open_outages = {o.alert_issue_id: o for o in Outage.objects.filter(
                alert_issue_id__in={e.issue_id for e in events}, ended_at=None)}
            for event in events:
                issue, outage = event.issue, open_outages.get(event.issue_id)
                if issue.channel != Channel.ALERT:
                    continue
                if event.kind == EventKind.ALERT_FIRED and outage is None and _is_outage_level(issue.alert_level):
                    open_outages[issue.pk] = do_record_outage(
                        actor=None, title=issue.title, started_at=event.created_at, source=OutageSource.ALERT,
                        is_global=not (issue.organization_id or issue.component_id),
                        organizations=[issue.organization] if issue.organization_id else [],
                        components=[issue.component] if issue.component_id else [], issues=[issue],
                        alert_issue=issue, at=event.created_at)
                    count += 1
                elif event.kind == EventKind.ALERT_RESOLVED and outage is not None:
                    ended_at = max(event.created_at, outage.started_at + timedelta(microseconds=1))
                    do_change_outage(outage, actor=None, ended_at=ended_at, at=event.created_at)
                    del open_outages[issue.pk]
                    count += 1
            cursor.last_event_id = events[-1].pk
            cursor.updated_at = timezone.now()
            cursor.save()


def parse_target(value) -> Decimal:
    try:
        target = Decimal(str(value).strip().removesuffix("%"))
    except (InvalidOperation, ValueError):
        target = None
    if target is None or not target.is_finite() or not LOWEST_TARGET <= target <= HIGHEST_TARGET \
            or target != target.quantize(Decimal("0.001")):
        raise InvalidInput("Invalid objective", {"target": f"a percentage from {LOWEST_TARGET} to {HIGHEST_TARGET}, "
                                                           "at most 3 decimals (e.g. 99.95)"})
    return target


@transaction.atomic
def do_set_objective(*, actor, target, plan: str = "", organization=None, component=None,
                     reason: str = "") -> Objective:
    """Set the availability objective of a plan, or one organization's or component's own."""
    target = parse_target(target)
    if sum(bool(x) for x in (plan, organization, component)) != 1:
        raise InvalidInput("Invalid objective", {"subject": "exactly one of plan, organization, component"})
    if plan and plan not in Plan.values:
        raise InvalidInput("Invalid objective", {"plan": f"one of {', '.join(Plan.values)}"})
    subject = {"plan": plan} if plan else {"organization": organization} if organization else {"component": component}
    objective = Objective.objects.select_for_update().filter(**subject).order_by("pk").first()
    before = percent_text(objective.target) if objective else None
    if objective is None:
        objective = Objective(plan=plan, organization=organization, component=component)
    objective.target, objective.updated_at = target, timezone.now()
    objective.updated_by = actor if actor and actor.is_authenticated else None
    objective.save()
    do_record_audit(action=AuditAction.OBJECTIVE_CHANGED, actor=actor, organization=organization,
                    target=objective, reason=reason,
                    data={"subject": objective.subject_label, "from": before, "to": percent_text(target)})
    return objective


@transaction.atomic
def do_remove_objective(objective: Objective, *, actor, reason: str = "") -> None:
    """A plan falls back to the configured default, a customer to its plan's, a component to the
    components' default."""
    do_record_audit(action=AuditAction.OBJECTIVE_REMOVED, actor=actor, organization=objective.organization,
                    target=objective, reason=reason,
                    data={"subject": objective.subject_label, "from": percent_text(objective.target)})
    objective.delete()
