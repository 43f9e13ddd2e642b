"""SLA configuration endpoints, admins only (`escalation.configure`): business calendars, SLA
policies and escalation policies with their ordered steps. Changing a calendar or an SLA policy
re-plans the open clocks it governs (in the background, right after the change commits)."""

from ninja import Router, Status

from tierline.accounts.permissions import has_perm
from tierline.errors import NotFound, PermissionDenied
from tierline.schemas import ERRORS, referenced_row

from .models import BusinessCalendar, EscalationPolicy, SlaPolicy
from .sla import (
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
from .sla_schemas import (
    CalendarIn,
    CalendarOut,
    CalendarPatch,
    EscalationPolicyIn,
    EscalationPolicyOut,
    EscalationPolicyPatch,
    SlaPolicyIn,
    SlaPolicyOut,
    SlaPolicyPatch,
)

router = Router(tags=["SLA configuration"])


def _configurer(request) -> None:
    if not has_perm(request.auth, "escalation.configure"):
        raise PermissionDenied("Only admins configure SLAs and escalation policies")


def _row(request, queryset, pk: int, what: str):
    _configurer(request)
    row = queryset.filter(pk=pk).first() if 0 < pk < 2**63 else None
    if row is None:
        raise NotFound(f"{what} {pk} not found")
    return row


def _changes(payload) -> dict:
    # A field sent as null means "leave it", except where null is a value (priority, calendar).
    return {k: v for k, v in payload.model_dump(exclude_unset=True).items()
            if v is not None or k in ("priority", "calendar_id")}


def calendar_out(calendar: BusinessCalendar) -> dict:
    return {"id": calendar.pk, "name": calendar.name, "time_zone": calendar.time_zone,
            "workday_start": calendar.workday_start.strftime("%H:%M"),
            "workday_end": calendar.workday_end.strftime("%H:%M"),
            "weekdays": calendar.weekdays, "holidays": calendar.holidays}


@router.get("/sla/calendars", response={200: list[CalendarOut], **ERRORS})
def list_calendars(request):
    _configurer(request)
    return [calendar_out(c) for c in BusinessCalendar.objects.order_by("name", "id")]


@router.post("/sla/calendars", response={201: CalendarOut, **ERRORS})
def create_calendar(request, payload: CalendarIn):
    _configurer(request)
    return Status(201, calendar_out(do_create_business_calendar(**payload.model_dump())))


@router.patch("/sla/calendars/{calendar_id}", response={200: CalendarOut, **ERRORS})
def update_calendar(request, calendar_id: int, payload: CalendarPatch):
    """Hours, time zone, weekdays or holidays; open clocks on this calendar are re-planned."""
    calendar = _row(request, BusinessCalendar.objects, calendar_id, "Calendar")
    return calendar_out(do_update_business_calendar(calendar, **_changes(payload)))


@router.delete("/sla/calendars/{calendar_id}", response={204: None, **ERRORS})
def delete_calendar(request, calendar_id: int):
    """Refused (422) while an SLA policy uses it."""
    do_delete_business_calendar(_row(request, BusinessCalendar.objects, calendar_id, "Calendar"))
    return Status(204, None)


def sla_policy_out(policy: SlaPolicy) -> dict:
    calendar = policy.calendar
    return {"id": policy.pk, "name": policy.name, "plan": policy.plan, "priority": policy.priority,
            "first_response_minutes": policy.first_response_minutes,
            "next_response_minutes": policy.next_response_minutes,
            "resolution_minutes": policy.resolution_minutes,
            "calendar": {"id": calendar.pk, "name": calendar.name} if calendar else None}


def _policy_values(payload) -> dict:
    values = _changes(payload)
    if "calendar_id" in values:
        values["calendar"] = referenced_row(BusinessCalendar, values.pop("calendar_id"), "calendar_id")
    return values


@router.get("/sla/policies", response={200: list[SlaPolicyOut], **ERRORS})
def list_sla_policies(request):
    _configurer(request)
    return [sla_policy_out(p) for p in SlaPolicy.objects.select_related("calendar").order_by("plan", "priority", "id")]


@router.post("/sla/policies", response={201: SlaPolicyOut, **ERRORS})
def create_sla_policy(request, payload: SlaPolicyIn):
    """Open issues it covers more closely than their current policy move to it."""
    _configurer(request)
    return Status(201, sla_policy_out(do_create_sla_policy(**_policy_values(payload))))


@router.patch("/sla/policies/{sla_policy_id}", response={200: SlaPolicyOut, **ERRORS})
def update_sla_policy(request, sla_policy_id: int, payload: SlaPolicyPatch):
    """Targets, calendar, plan or priority; the open clocks it governs are re-planned."""
    policy = _row(request, SlaPolicy.objects, sla_policy_id, "SLA policy")
    return sla_policy_out(do_update_sla_policy(policy, **_policy_values(payload)))


@router.delete("/sla/policies/{sla_policy_id}", response={204: None, **ERRORS})
def delete_sla_policy(request, sla_policy_id: int):
    """Its open clocks move to the policy that now matches their issue."""
    do_delete_sla_policy(_row(request, SlaPolicy.objects, sla_policy_id, "SLA policy"))
    return Status(204, None)


def escalation_policy_out(policy: EscalationPolicy) -> dict:
    return {"id": policy.pk, "name": policy.name, "trigger": policy.trigger, "clock_kind": policy.clock_kind,
            "is_active": policy.is_active, "actions": [s.action for s in policy.steps.all()]}


@router.get("/escalation-policies", response={200: list[EscalationPolicyOut], **ERRORS})
def list_escalation_policies(request):
    _configurer(request)
    return [escalation_policy_out(p) for p in EscalationPolicy.objects.prefetch_related("steps").order_by("id")]


@router.post("/escalation-policies", response={201: EscalationPolicyOut, **ERRORS})
def create_escalation_policy(request, payload: EscalationPolicyIn):
    _configurer(request)
    return Status(201, escalation_policy_out(do_create_escalation_policy(**payload.model_dump())))


@router.patch("/escalation-policies/{escalation_policy_id}", response={200: EscalationPolicyOut, **ERRORS})
def update_escalation_policy(request, escalation_policy_id: int, payload: EscalationPolicyPatch):
    """`actions` replaces the ordered steps; a step kept at its position keeps what it already ran."""
    policy = _row(request, EscalationPolicy.objects, escalation_policy_id, "Escalation policy")
    return escalation_policy_out(do_update_escalation_policy(policy, **_changes(payload)))


@router.delete("/escalation-policies/{escalation_policy_id}", response={204: None, **ERRORS})
def delete_escalation_policy(request, escalation_policy_id: int):
    do_delete_escalation_policy(_row(request, EscalationPolicy.objects, escalation_policy_id, "Escalation policy"))
    return Status(204, None)
