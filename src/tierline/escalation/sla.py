"""Writes for SLA configuration: business calendars, SLA policies, escalation policies and their
steps, and who a team's escalations reach. Admin work (permission `escalation.configure`).

A change to a calendar or an SLA policy re-plans the open clocks it governs: after commit, the
worker's `replan_sla_clocks` task (clocks.do_replan_sla_clocks) moves their due times, a batch
per transaction, so a change that touches 100,000 clocks never holds one long lock.
"""

from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction

from tierline.accounts.models import Team, User
from tierline.errors import InvalidInput
from tierline.issues.models import Priority

from .models import (
    BusinessCalendar,
    ClockKind,
    EscalationPolicy,
    EscalationStep,
    SlaClock,
    SlaPolicy,
    StepAction,
    TeamOnCall,
    Trigger,
)


def _replan_after_commit(**scope) -> None:
    from .clocks import governed_clocks
    from .tasks import replan_sla_clocks

    # Nothing to re-plan (a fresh install, the demo's ladder before its issues): no task at all.
    if SlaClock.objects.filter(governed_clocks(scope), stopped_at__isnull=True).exists():
        transaction.on_commit(lambda: replan_sla_clocks(scope))


def _clean_name(name, model, exclude_pk=None, *, unique: bool) -> str:
    name = " ".join(str(name or "").split())
    if not name or len(name) > 100 or "\x00" in name:
        raise InvalidInput("A name is required", {"name": "1 to 100 characters"})
    if unique and model.objects.filter(name=name).exclude(pk=exclude_pk).exists():
        raise InvalidInput("That name is taken", {"name": "already used"})
    return name


def _clean_time(value, field: str) -> time:
    if isinstance(value, time):
        return value
    try:
        parsed = time.fromisoformat(str(value))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is not None:  # the calendar's zone says where the hours are
        raise InvalidInput("Invalid time", {field: "a time of day as HH:MM"})
    return parsed


MAX_TARGET_MINUTES = 366 * 24 * 60
# A target must fit well inside the horizon the business-hours arithmetic searches (calendars.MAX_DAYS).
FIT_WEEKS = 5 * 52


def _weekly_minutes(calendar: BusinessCalendar) -> float:
    start, end = calendar.workday_start, calendar.workday_end
    return len(calendar.weekdays) * ((end.hour - start.hour) * 60 + end.minute - start.minute)


def _check_targets_fit(calendar: BusinessCalendar | None, longest: int, field: str) -> None:
    if calendar is not None and longest > _weekly_minutes(calendar) * FIT_WEEKS:
        raise InvalidInput("The targets are too long for the calendar's working hours",
                           {field: "targets must fit in five years of the calendar's working time"})


def check_business_calendar(calendar: BusinessCalendar) -> None:
    """Refuse (InvalidInput) or normalise an unsaved calendar; the admin's form runs it too."""
    calendar.name = _clean_name(calendar.name, BusinessCalendar, calendar.pk, unique=True)
    try:
        ZoneInfo(str(calendar.time_zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("Unknown time zone", {"time_zone": "an IANA name such as Europe/Paris"}) from None
    calendar.workday_start = _clean_time(calendar.workday_start, "workday_start")
    calendar.workday_end = _clean_time(calendar.workday_end, "workday_end")
    if not calendar.workday_start < calendar.workday_end:
        raise InvalidInput("A workday ends after it starts", {"workday_end": "after workday_start"})
    weekdays = calendar.weekdays
    if (not isinstance(weekdays, (list, tuple)) or not weekdays
            or any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays)):
        raise InvalidInput("Invalid weekdays", {"weekdays": "one or more of 0 (Monday) to 6 (Sunday)"})
    calendar.weekdays = sorted(set(weekdays))
    try:
        calendar.holidays = sorted({date.fromisoformat(str(d)).isoformat() for d in calendar.holidays or ()})
    except ValueError:
        raise InvalidInput("Invalid holiday", {"holidays": "dates as YYYY-MM-DD"}) from None
    if calendar.pk:
        longest = max((max(p.first_response_minutes, p.next_response_minutes, p.resolution_minutes)
                       for p in SlaPolicy.objects.filter(calendar_id=calendar.pk)), default=0)
        _check_targets_fit(calendar, longest, "workday_end")


def do_create_business_calendar(*, name: str, time_zone: str, workday_start: time | str, workday_end: time | str,
                                weekdays=(0, 1, 2, 3, 4), holidays=()) -> BusinessCalendar:
    calendar = BusinessCalendar(name=name, time_zone=time_zone, workday_start=workday_start,
                                workday_end=workday_end, weekdays=list(weekdays), holidays=list(holidays))
    check_business_calendar(calendar)
    calendar.save()
    return calendar


@transaction.atomic
def do_update_business_calendar(calendar: BusinessCalendar, **changes) -> BusinessCalendar:
    """Change hours, zone, weekdays, holidays or name; the clocks it governs are re-planned."""
    calendar = BusinessCalendar.objects.select_for_update().get(pk=calendar.pk)
    for field, value in changes.items():
        if field not in ("name", "time_zone", "workday_start", "workday_end", "weekdays", "holidays"):
            raise TypeError(f"unknown calendar field {field}")
        setattr(calendar, field, list(value) if field in ("weekdays", "holidays") else value)
    check_business_calendar(calendar)
    calendar.save()
    _replan_after_commit(calendar_id=calendar.pk)
    return calendar


@transaction.atomic
def do_delete_business_calendar(calendar: BusinessCalendar) -> None:
    users = list(SlaPolicy.objects.filter(calendar=calendar).values_list("name", flat=True)[:5])
    if users:
        raise InvalidInput("The calendar is in use", {"calendar": f"used by {', '.join(users)}"})
    calendar.delete()


def check_sla_policy(policy: SlaPolicy) -> None:
    policy.name = _clean_name(policy.name, SlaPolicy, unique=False)
    policy.plan = str(policy.plan or "").strip()
    if len(policy.plan) > 20 or "\x00" in policy.plan:
        raise InvalidInput("Invalid plan", {"plan": "at most 20 characters"})
    if policy.priority is not None and policy.priority not in Priority.values:
        raise InvalidInput("Invalid priority", {"priority": "0 to 3, or null for any"})
    targets = (policy.first_response_minutes, policy.next_response_minutes, policy.resolution_minutes)
    if any(isinstance(t, bool) or not isinstance(t, int) or not 0 < t <= MAX_TARGET_MINUTES for t in targets):
        raise InvalidInput("Targets are positive minutes", {"targets": "positive whole minutes, at most a year"})
    _check_targets_fit(policy.calendar, max(targets), "calendar")
    if SlaPolicy.objects.filter(plan=policy.plan, priority=policy.priority).exclude(pk=policy.pk).exists():
        raise InvalidInput("A policy for this plan and priority exists", {"plan": "already covered"})


def _match(policy: SlaPolicy) -> dict:
    return {"plan": policy.plan, "priority": policy.priority}


@transaction.atomic
def do_create_sla_policy(*, name: str, first_response_minutes: int, next_response_minutes: int,
                         resolution_minutes: int, plan: str = "", priority: int | None = None,
                         calendar: BusinessCalendar | None = None) -> SlaPolicy:
    policy = SlaPolicy(name=name, plan=plan, priority=priority, calendar=calendar,
                       first_response_minutes=first_response_minutes, next_response_minutes=next_response_minutes,
                       resolution_minutes=resolution_minutes)
    check_sla_policy(policy)
    policy.save()
    # Open issues it covers more closely than their current policy move over to it.
    _replan_after_commit(match=_match(policy))
    return policy


@transaction.atomic
def do_update_sla_policy(policy: SlaPolicy, **changes) -> SlaPolicy:
    """Change targets, calendar, name, plan or priority; open clocks under it, and those of
    the issues it now covers, are re-planned."""
    policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
    for field, value in changes.items():
        if field not in ("name", "plan", "priority", "calendar", "first_response_minutes",
                         "next_response_minutes", "resolution_minutes"):
            raise TypeError(f"unknown SLA policy field {field}")
        setattr(policy, field, value)
    check_sla_policy(policy)
    policy.save()
    # Clocks under it (whatever it covers now) and the issues it covers now.
    _replan_after_commit(policy_id=policy.pk, match=_match(policy))
    return policy


@transaction.atomic
def do_delete_sla_policy(policy: SlaPolicy) -> None:
    """Its open clocks go to the policy that now matches their issue (or keep their targets
    around the clock when none does)."""
    match = _match(policy)
    policy.delete()  # the clocks' policy becomes null (SET_NULL)
    _replan_after_commit(orphans=True, match=match)


def check_escalation_policy(policy: EscalationPolicy, actions) -> list[str]:
    policy.name = _clean_name(policy.name, EscalationPolicy, unique=False)
    if policy.trigger not in Trigger.values:
        raise InvalidInput("Invalid trigger", {"trigger": f"one of {', '.join(Trigger.values)}"})
    if policy.clock_kind and policy.clock_kind not in ClockKind.values:
        raise InvalidInput("Invalid clock", {"clock_kind": f"one of {', '.join(ClockKind.values)}"})
    if actions is not None and (not isinstance(actions, (list, tuple)) or not actions or len(actions) > 20
                                or any(a not in StepAction.values for a in actions)):
        raise InvalidInput("Invalid steps", {"actions": f"one or more of {', '.join(StepAction.values)}"})
    return list(actions) if actions is not None else None


@transaction.atomic
def do_create_escalation_policy(*, name: str, trigger: str, actions: list[str], clock_kind: str = "",
                                is_active: bool = True) -> EscalationPolicy:
    policy = EscalationPolicy(name=name, trigger=trigger, clock_kind=clock_kind or "", is_active=is_active)
    actions = check_escalation_policy(policy, actions)
    if actions is None:
        raise InvalidInput("Invalid steps", {"actions": "one or more steps"})
    policy.save()
    EscalationStep.objects.bulk_create(
        [EscalationStep(policy=policy, position=n, action=a) for n, a in enumerate(actions, 1)])
    return policy


@transaction.atomic
def do_update_escalation_policy(policy: EscalationPolicy, *, actions: list[str] | None = None,
                                **changes) -> EscalationPolicy:
    """Change the trigger, clock, name or activity, or replace the ordered steps. A step kept at
    its position keeps its row, so what it already ran for still counts as run."""
    policy = EscalationPolicy.objects.select_for_update().get(pk=policy.pk)
    for field, value in changes.items():
        if field not in ("name", "trigger", "clock_kind", "is_active"):
            raise TypeError(f"unknown escalation policy field {field}")
        setattr(policy, field, (value or "") if field == "clock_kind" else value)
    actions = check_escalation_policy(policy, actions)
    policy.save()
    if actions is not None:
        steps = list(policy.steps.order_by("position", "id"))
        for n, action in enumerate(actions, 1):
            step = steps[n - 1] if n <= len(steps) else EscalationStep(policy=policy, position=n)
            if step.pk is None or step.action != action or step.position != n:
                step.action, step.position = action, n
                step.save()
        EscalationStep.objects.filter(pk__in=[s.pk for s in steps[len(actions):]]).delete()
    return policy


def do_delete_escalation_policy(policy: EscalationPolicy) -> None:
    # Its runs go with it; each step that ran left an event on its issue's timeline.
    policy.delete()


def do_set_team_on_call(team: Team, *, lead: User | None = None, page_email: str = "",
                        webhook_url: str = "") -> TeamOnCall:
    if webhook_url and not webhook_url.startswith(("http://", "https://")):
        raise InvalidInput("Invalid webhook", {"webhook_url": "an http(s) URL"})
    on_call, _ = TeamOnCall.objects.update_or_create(
        team=team, defaults={"lead": lead, "page_email": page_email, "webhook_url": webhook_url})
    return on_call
