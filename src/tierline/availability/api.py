"""The availability app's REST endpoints under /api/v1: a customer's and a component's numbers,
outages (staff read them, operations and up record and change them), objectives (admins)."""

from django.conf import settings
from django.utils import timezone
from ninja import Query, Router, Status

from tierline.accounts.permissions import has_perm
from tierline.customers.models import Organization
from tierline.errors import InvalidInput, NotFound
from tierline.issues.models import Component, Issue, parse_issue_key
from tierline.pagination import paginate
from tierline.schemas import ERRORS, referenced_row

from .actions import UNCHANGED, do_change_outage, do_record_outage, do_remove_objective, do_set_objective
from .models import Objective
from .queries import (
    check_permission,
    component_report,
    get_component,
    get_organization,
    get_outage,
    is_row_id,
    list_outages,
    organization_report,
    parse_month,
)
from .schemas import (
    AvailabilityOut,
    ObjectiveIn,
    ObjectiveOut,
    ObjectivesOut,
    OutageIn,
    OutageList,
    OutageOut,
    OutagePatch,
)
from .slo import percent_text

router = Router(tags=["availability"])
NEWEST_FIRST = (("started_at", True), ("id", True))


def _number(value: float) -> float:
    return round(value, 4)


def outage_out(outage) -> dict:
    end = outage.ended_at or timezone.now()
    return {"id": outage.pk, "title": outage.title, "started_at": outage.started_at, "ended_at": outage.ended_at,
            "source": outage.source, "is_global": outage.is_global,
            "organizations": [{"id": o.pk, "name": o.name} for o in outage.organizations.all()],
            "components": [{"id": c.pk, "name": c.name} for c in outage.components.all()],
            "issues": [i.key for i in outage.issues.all()],
            "minutes": _number(max(0.0, (end - outage.started_at).total_seconds() / 60))}


def budget_out(budget, *, organization_id: int | None) -> dict:
    """`organization_id`: the customer reading their own numbers, who sees no outage titles and
    only their own issues."""
    def issues(span):
        return [key for key, org in span.issues if organization_id is None or org == organization_id]

    return {
        "period": budget.period.label, "start": budget.period.start, "end": budget.period.end, "as_of": budget.as_of,
        "availability": _number(budget.availability), "downtime_minutes": _number(budget.downtime_minutes),
        "allowed_minutes": _number(budget.allowed_minutes), "left_minutes": _number(budget.left_minutes),
        "left_percent": _number(budget.left_percent), "burn_rate": _number(budget.burn_rate),
        **{f"burn_rate_{h}h": _number(rate) for h, rate in budget.burn_rates.items()}, "is_met": budget.is_met,
        "consumed": [{"outage": c.span.id, "title": c.span.title if organization_id is None else None,
                      "started_at": c.start, "ended_at": c.end, "minutes": _number(c.minutes),
                      "charged_minutes": _number(c.charged_minutes), "issues": issues(c.span)}
                     for c in budget.charges],
    }


def report_out(report, *, organization_id: int | None = None) -> dict:
    return {"kind": report.kind, "id": report.id, "name": report.name, "objective": percent_text(report.target.percent),
            "objective_from": report.target.source,
            "month": budget_out(report.month, organization_id=organization_id),
            "rolling_30_days": budget_out(report.rolling, organization_id=organization_id),
            "days": [{"day": d.day.isoformat(), "availability": _number(d.availability),
                      "downtime_minutes": _number(d.downtime_minutes), "budget_used_percent": _number(d.budget_used)}
                     for d in report.days]}


@router.get("/organizations/{organization_id}/availability", response={200: AvailabilityOut, **ERRORS})
def get_organization_availability(request, organization_id: int, month: str = Query("", max_length=7)):
    """A customer's availability against its objective for a month (`2026-11`, UTC; this month
    by default) and the rolling 30 days. Customers read their own organization's only."""
    organization = get_organization(request.auth, organization_id)
    reader = None if has_perm(request.auth, "availability.view") else organization.pk
    return report_out(organization_report(organization, parse_month(month)), organization_id=reader)


@router.get("/components/{component_id}/availability", response={200: AvailabilityOut, **ERRORS})
def get_component_availability(request, component_id: int, month: str = Query("", max_length=7)):
    return report_out(component_report(get_component(request.auth, component_id), parse_month(month)))


def _rows(model, ids: list[int], field: str) -> list:
    rows = list(model.objects.filter(pk__in=set(ids)))
    if len(rows) != len(set(ids)):
        missing = sorted(set(ids) - {r.pk for r in rows})
        raise InvalidInput(f"Unknown {field.removesuffix('_ids')}", {field: f"no such id: {missing[0]}"})
    return rows


def _issues(keys: list[str]) -> list:
    numbers = {key: parse_issue_key(key[:40]) for key in keys}
    found = {i.pk: i for i in Issue.objects.filter(pk__in={n for n in numbers.values() if n})}
    for key, number in numbers.items():
        if number not in found:
            raise InvalidInput("Unknown issue", {"issue_keys": f"no issue {key[:40]}"})
    return [found[n] for n in dict.fromkeys(numbers.values())]


@router.get("/outages", response={200: OutageList, **ERRORS})
def get_outages(request, organization_id: int | None = Query(None, ge=1, le=2**63 - 1),
                component_id: int | None = Query(None, ge=1, le=2**63 - 1),
                open: bool | None = None, cursor: str | None = Query(None, max_length=200),
                limit: int = Query(50, ge=1, le=100)):
    """Outages, newest first; `organization_id` / `component_id`: those naming it in their scope."""
    rows = list_outages(request.auth, organization_id=organization_id, component_id=component_id, is_open=open)
    items, next_cursor = paginate(rows, NEWEST_FIRST, cursor=cursor, limit=limit)
    return {"items": [outage_out(o) for o in items], "next_cursor": next_cursor}


@router.post("/outages", response={201: OutageOut, **ERRORS})
def create_outage(request, payload: OutageIn):
    """Record an outage (operations tier and up): its times, scope (`is_global`, organizations,
    components) and the issues it explains, each of which gets it on its timeline."""
    check_permission(request.auth, "outage.manage")
    outage = do_record_outage(
        actor=request.auth, title=payload.title, started_at=payload.started_at, ended_at=payload.ended_at,
        source=payload.source, is_global=payload.is_global,
        organizations=_rows(Organization, payload.organization_ids, "organization_ids"),
        components=_rows(Component, payload.component_ids, "component_ids"), issues=_issues(payload.issue_keys))
    return Status(201, outage_out(get_outage(request.auth, outage.pk)))


@router.get("/outages/{outage_id}", response={200: OutageOut, **ERRORS})
def get_one_outage(request, outage_id: int):
    return outage_out(get_outage(request.auth, outage_id))


@router.patch("/outages/{outage_id}", response={200: OutageOut, **ERRORS})
def change_outage(request, outage_id: int, payload: OutagePatch):
    """End an outage (`ended_at`), correct its times, change its scope or issues."""
    outage = get_outage(request.auth, outage_id, "outage.manage")
    sent = payload.model_fields_set
    for name in sent - {"ended_at"}:
        if getattr(payload, name) is None:
            raise InvalidInput("Invalid outage", {name: "cannot be null"})

    def given(name, read=lambda value: value):
        return read(getattr(payload, name)) if name in sent else UNCHANGED

    do_change_outage(
        outage, actor=request.auth, title=given("title"), started_at=given("started_at"),
        ended_at=given("ended_at"), is_global=given("is_global"),
        organizations=given("organization_ids", lambda ids: _rows(Organization, ids, "organization_ids")),
        components=given("component_ids", lambda ids: _rows(Component, ids, "component_ids")),
        issues=given("issue_keys", _issues))
    return outage_out(get_outage(request.auth, outage_id))


def objective_out(o: Objective) -> dict:
    return {"id": o.pk, "plan": o.plan, "organization_id": o.organization_id, "component_id": o.component_id,
            "target": percent_text(o.target), "updated_at": o.updated_at}


@router.get("/availability/objectives", response={200: ObjectivesOut, **ERRORS})
def get_objectives(request):
    """The stored objectives, and the defaults used where none is stored."""
    check_permission(request.auth)
    return {"objectives": [objective_out(o) for o in Objective.objects.all()],
            "plan_defaults": settings.AVAILABILITY_PLAN_OBJECTIVES,
            "component_default": settings.AVAILABILITY_COMPONENT_OBJECTIVE}


@router.put("/availability/objectives", response={200: ObjectiveOut, **ERRORS})
def put_objective(request, payload: ObjectiveIn):
    """Set a plan's objective, or one customer's or component's own (admins; audited)."""
    check_permission(request.auth, "availability.configure")
    return objective_out(do_set_objective(
        actor=request.auth, target=payload.target, plan=payload.plan, reason=payload.reason,
        organization=referenced_row(Organization, payload.organization_id, "organization_id"),
        component=referenced_row(Component, payload.component_id, "component_id")))


@router.delete("/availability/objectives/{objective_id}", response={204: None, **ERRORS})
def delete_objective(request, objective_id: int):
    """Remove an objective: a plan goes back to its default, a customer to its plan's (audited)."""
    check_permission(request.auth, "availability.configure")
    objective = Objective.objects.filter(pk=objective_id).first() if is_row_id(objective_id) else None
    if objective is None:
        raise NotFound("Objective not found")
    do_remove_objective(objective, actor=request.auth)
    return Status(204, None)
