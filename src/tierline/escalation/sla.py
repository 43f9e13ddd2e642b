"""Writes for SLA configuration: business calendars, SLA policies, escalation policies and
who a team's escalations reach. Admin work (permission `escalation.configure`)."""

from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction

from tierline.accounts.models import Team, User
from tierline.errors import InvalidInput

from .models import (
    BusinessCalendar,
    ClockKind,
    EscalationPolicy,
    EscalationStep,
    SlaPolicy,
    StepAction,
    TeamOnCall,
    Trigger,
)


def do_create_business_calendar(*, name: str, time_zone: str, workday_start: time, workday_end: time,
                                 weekdays=(0, 1, 2, 3, 4), holidays=()) -> BusinessCalendar:
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("Unknown time zone", {"time_zone": "an IANA name such as Europe/Paris"}) from None
    if not workday_start < workday_end:
        raise InvalidInput("A workday ends after it starts", {"workday_end": "after workday_start"})
    weekdays = sorted(set(weekdays))
    if not weekdays or any(not 0 <= d <= 6 for d in weekdays):
        raise InvalidInput("Invalid weekdays", {"weekdays": "one or more of 0 (Monday) to 6 (Sunday)"})
    try:
        holidays = sorted({date.fromisoformat(str(d)).isoformat() for d in holidays})
    except ValueError:
        raise InvalidInput("Invalid holiday", {"holidays": "dates as YYYY-MM-DD"}) from None
    return BusinessCalendar.objects.create(name=name, time_zone=time_zone, workday_start=workday_start,
                                           workday_end=workday_end, weekdays=weekdays, holidays=holidays)


def do_create_sla_policy(*, name: str, first_response_minutes: int, next_response_minutes: int,
                         resolution_minutes: int, plan: str = "", priority: int | None = None,
                         calendar: BusinessCalendar | None = None) -> SlaPolicy:
    targets = (first_response_minutes, next_response_minutes, resolution_minutes)
    if any(not isinstance(t, int) or t <= 0 for t in targets):
        raise InvalidInput("Targets are positive minutes", {"targets": "positive whole minutes"})
    if SlaPolicy.objects.filter(plan=plan, priority=priority).exists():
        raise InvalidInput("A policy for this plan and priority exists", {"plan": "already covered"})
    return SlaPolicy.objects.create(name=name, plan=plan, priority=priority, calendar=calendar,
                                    first_response_minutes=first_response_minutes,
                                    next_response_minutes=next_response_minutes,
                                    resolution_minutes=resolution_minutes)


@transaction.atomic
def do_create_escalation_policy(*, name: str, trigger: str, actions: list[str],
                                clock_kind: str = "") -> EscalationPolicy:
    if trigger not in Trigger.values:
        raise InvalidInput("Invalid trigger", {"trigger": f"one of {', '.join(Trigger.values)}"})
    if clock_kind and clock_kind not in ClockKind.values:
        raise InvalidInput("Invalid clock", {"clock_kind": f"one of {', '.join(ClockKind.values)}"})
    if not actions or any(a not in StepAction.values for a in actions):
        raise InvalidInput("Invalid steps", {"actions": f"one or more of {', '.join(StepAction.values)}"})
    policy = EscalationPolicy.objects.create(name=name, trigger=trigger, clock_kind=clock_kind)
    EscalationStep.objects.bulk_create(
        [EscalationStep(policy=policy, position=n, action=a) for n, a in enumerate(actions, 1)])
    return policy


def do_set_team_on_call(team: Team, *, lead: User | None = None, page_email: str = "",
                        webhook_url: str = "") -> TeamOnCall:
    if webhook_url and not webhook_url.startswith(("http://", "https://")):
        raise InvalidInput("Invalid webhook", {"webhook_url": "an http(s) URL"})
    on_call, _ = TeamOnCall.objects.update_or_create(
        team=team, defaults={"lead": lead, "page_email": page_email, "webhook_url": webhook_url})
    return on_call
