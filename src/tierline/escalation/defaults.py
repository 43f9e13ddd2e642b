"""A starting configuration for the ladder: a business-hours calendar, SLA policies per plan and
priority, escalation policies, and one environment questionnaire for every component. Used by
the demo; an install can start from it and change it in the admin."""

from datetime import date, time

from tierline.accounts.models import Team
from tierline.issues.models import Component

from .actions import do_set_questionnaire
from .sla import do_create_business_calendar, do_create_escalation_policy, do_create_sla_policy, do_set_team_on_call

# plan -> (first response, next response, resolution) in minutes for P0..P3
TARGETS = {
    "enterprise": [(15, 60, 240), (60, 240, 960), (240, 480, 2400), (480, 960, 4800)],
    "business": [(30, 120, 480), (120, 480, 1440), (480, 960, 4800), (960, 1920, 9600)],
    "": [(60, 240, 960), (240, 480, 2400), (960, 1920, 7200), (1920, 2880, 14400)],
}
QUESTIONNAIRE = {
    "type": "object",
    "properties": {
        "runtime": {"type": "string", "title": "Runtime and version"},
        "os": {"type": "string", "title": "Operating system"},
        "cloud": {"type": "string", "title": "Cloud or hosting"},
        "deployment": {"type": "string", "title": "Deployment type",
                       "enum": ["Kubernetes", "VMs", "Docker Compose", "Serverless", "Other"]},
        "product_version": {"type": "string", "title": "Product version"},
    },
    "required": ["runtime", "cloud", "deployment", "product_version"],
}


def _holidays(year: int) -> list[str]:
    return [date(y, m, d).isoformat() for y in (year, year + 1) for m, d in ((1, 1), (5, 1), (12, 25), (12, 26))]


def install_default_ladder(*, time_zone: str = "Europe/Berlin", year: int | None = None) -> None:
    calendar = do_create_business_calendar(
        name="Office hours", time_zone=time_zone, workday_start=time(8), workday_end=time(18),
        holidays=_holidays(year or date.today().year))
    for plan, targets in TARGETS.items():
        for priority, (first, following, resolution) in enumerate(targets):
            # P0 runs around the clock; the rest count office hours.
            do_create_sla_policy(name=f"{(plan or 'any plan').capitalize()} P{priority}", plan=plan, priority=priority,
                                 first_response_minutes=first, next_response_minutes=following,
                                 resolution_minutes=resolution, calendar=None if priority == 0 else calendar)
    do_create_escalation_policy(name="Warn the assignee", trigger="warning", actions=["notify_assignee"])
    do_create_escalation_policy(name="Breach: lead, then on-call", trigger="breach",
                                actions=["notify_team_lead", "page_on_call"])
    do_create_escalation_policy(name="First response breached: raise the tier", trigger="breach",
                                clock_kind="first_response", actions=["raise_tier"])
    for component in Component.objects.all():
        do_set_questionnaire(component, QUESTIONNAIRE)
    for team in Team.objects.prefetch_related("members"):
        lead = max(team.members.all(), key=lambda u: u.role, default=None)
        do_set_team_on_call(team, lead=lead)
