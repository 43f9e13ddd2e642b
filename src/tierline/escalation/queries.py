"""Escalation reads: an issue's SLA state and questionnaire, the "breaching soon" queue,
problems and the engineering queue (ranked by business impact, then age)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from tierline.accounts.permissions import scope_issues
from tierline.issues.models import DONE_STATUSES, Issue

from .actions import missing_for_engineering, prefilled_answers, tier_name
from .models import Problem, ProblemLink, Questionnaire, SlaClock, TeamTask

# Business weight of one issue: its priority and how much its customer matters.
PRIORITY_WEIGHT = {0: 8, 1: 4, 2: 2, 3: 1}
IMPORTANCE_WEIGHT = {"strategic": 3, "key": 2, "standard": 1}


def clock_state(clock: SlaClock, now: datetime) -> dict:
    if clock.breached_at or (clock.stopped_at is None and clock.paused_at is None and clock.due_at <= now):
        state = "breached"
    elif clock.stopped_at:
        state = "met"
    elif clock.paused_at:
        state = "paused"
    elif clock.warned_at or clock.warn_at <= now:
        state = "warning"
    else:
        state = "ok"
    reference = clock.stopped_at or clock.paused_at or now
    return {"kind": clock.kind, "name": clock.get_kind_display(), "state": state, "round": clock.round,
            "started_at": clock.started_at, "warn_at": clock.warn_at, "due_at": clock.due_at,
            "time_left_seconds": int((clock.due_at - reference).total_seconds()),
            "is_paused": clock.paused_at is not None, "is_breached": state == "breached",
            "stopped_at": clock.stopped_at}


def format_time_left(seconds: int) -> str:
    sign, seconds = ("", seconds) if seconds >= 0 else ("over by ", -seconds)
    hours, minutes = divmod(seconds // 60, 60)
    return f"{sign}{hours}h {minutes:02d}m" if hours else f"{sign}{minutes}m"


# Which clock an issue's badge in a list shows: the most urgent running one, else the rest.
_BADGE_RANK = {"breached": 0, "warning": 1, "ok": 2, "paused": 3, "missed": 4, "met": 5}


def attach_sla_badges(issues: list[Issue], now: datetime | None = None) -> list[Issue]:
    """Set `issue.sla_badge` on every issue of a page ({"state", "label", "clock", "due_at"}, or
    None without clocks), from one query for the whole page."""
    now = now or timezone.now()
    best: dict[int, tuple] = {}
    for clock in SlaClock.objects.filter(issue_id__in=[i.pk for i in issues]):
        state = clock_state(clock, now)
        badge = state["state"] if not (state["state"] == "breached" and clock.stopped_at) else "missed"
        rank = (_BADGE_RANK[badge], state["time_left_seconds"])
        if clock.issue_id not in best or rank < best[clock.issue_id][0]:
            best[clock.issue_id] = (rank, badge, state)
    for issue in issues:
        found = best.get(issue.pk)
        issue.sla_badge = None if found is None else _badge(*found[1:])
    return issues


def _badge(badge: str, state: dict) -> dict:
    left = format_time_left(state["time_left_seconds"])
    label = {"breached": f"Breached, {left}", "warning": f"{left} left", "ok": f"{left} left", "paused": "Paused",
             "missed": "Met late", "met": "Met"}[badge]
    return {"state": badge, "label": label, "clock": state["name"], "due_at": state["due_at"]}


def sla_state(issue: Issue, now: datetime | None = None) -> list[dict]:
    now = now or timezone.now()
    order = {"first_response": 0, "next_response": 1, "resolution": 2}
    return sorted((clock_state(c, now) for c in issue.sla_clocks.all()), key=lambda c: order[c["kind"]])


CUSTOMER_CLOCK_LABELS = {"first_response": "First reply", "next_response": "Reply to your latest message",
                         "resolution": "Resolution"}


def customer_sla_summary(issue: Issue, now: datetime | None = None) -> list[dict]:
    """What the customer may know of the issue's SLA clocks, without policy names or targets:
    [{"kind", "label", "state": due | late | met | paused, "at"}]: first reply, next, resolution."""
    now = now or timezone.now()
    summary = []
    for clock in sla_state(issue, now):
        if clock["kind"] == "next_response" and clock["state"] == "met":
            continue  # answered: the customer sees the answer itself
        if clock["state"] == "met":
            state, at = "met", clock["stopped_at"]
        elif clock["is_paused"]:
            if issue.status in DONE_STATUSES:
                continue
            state, at = "paused", None
        elif clock["stopped_at"]:
            state, at = "met", clock["stopped_at"]  # answered, if later than we aimed
        else:
            state, at = ("late" if clock["time_left_seconds"] < 0 else "due"), clock["due_at"]
        summary.append({"kind": clock["kind"], "label": CUSTOMER_CLOCK_LABELS[clock["kind"]], "state": state,
                        "at": at})
    return summary


def questionnaire_state(issue: Issue) -> dict:
    questionnaire = Questionnaire.objects.filter(component_id=issue.component_id).first()
    return {"json_schema": questionnaire.schema if questionnaire else None,
            "answers": prefilled_answers(issue, questionnaire), "saved_answers": issue.questionnaire_answers,
            "reproduction_steps": issue.reproduction_steps,
            "missing_for_engineering": missing_for_engineering(issue),
            "tier": issue.tier, "tier_name": tier_name(issue.tier), "engineering_tier": settings.ENGINEERING_TIER}


@dataclass
class BreachingClock:
    issue: Issue
    clock: SlaClock


def list_breaching_soon(user, *, within: timedelta = timedelta(hours=1), now: datetime | None = None,
                        limit: int = 100) -> list[BreachingClock]:
    """Running clocks due before now + within (already breached ones first), from the due index."""
    now = now or timezone.now()
    issues = scope_issues(user, Issue.objects.all())
    clocks = (SlaClock.objects.filter(stopped_at__isnull=True, paused_at__isnull=True, due_at__lte=now + within,
                                      issue__in=issues)
              .select_related("issue__organization", "issue__assignee", "issue__team", "issue__requester",
                              "issue__component")
              .order_by("due_at", "id")[:limit])
    return [BreachingClock(issue=c.issue, clock=c) for c in clocks]


def issue_weight(issue: Issue) -> int:
    importance = issue.organization.importance if issue.organization_id else "standard"
    return PRIORITY_WEIGHT.get(issue.priority, 1) * IMPORTANCE_WEIGHT.get(importance, 1)


def problem_impact(problem: Problem) -> int:
    """The combined weight of the open issues it causes (each customer once, its worst issue)."""
    by_customer: dict = {}
    for link in problem.links.all():
        issue = link.issue
        if issue.status in DONE_STATUSES:
            continue
        key = issue.organization_id or f"issue-{issue.pk}"
        by_customer[key] = max(by_customer.get(key, 0), issue_weight(issue))
    return sum(by_customer.values())


def _links():
    return Prefetch("links", queryset=ProblemLink.objects.select_related("issue__organization").order_by("id"))


def list_problems(*, status: list[str] | None = None) -> list[Problem]:
    problems = Problem.objects.select_related("team").prefetch_related(_links())
    if status:
        problems = problems.filter(status__in=status)
    return list(problems)


def get_problem(problem_id: int) -> Problem | None:
    return Problem.objects.select_related("team").prefetch_related(_links()).filter(pk=problem_id).first()


@dataclass
class QueueEntry:
    kind: str  # "problem" or "issue"
    impact: int
    age_seconds: int
    problem: Problem | None = None
    issue: Issue | None = None


def engineering_queue(user, *, now: datetime | None = None, limit: int = 200) -> list[QueueEntry]:
    """Open problems and unfinished issues at an engineering tier that no open problem
    already covers, by business impact and then by age (oldest first)."""
    now = now or timezone.now()
    entries = []
    covered: set[int] = set()
    for problem in list_problems(status=["investigating", "identified", "fix_in_progress"]):
        covered |= {link.issue_id for link in problem.links.all()}
        entries.append(QueueEntry("problem", problem_impact(problem), int((now - problem.created_at).total_seconds()),
                                  problem=problem))
    issues = (scope_issues(user, Issue.objects.filter(tier__gte=settings.ENGINEERING_TIER))
              .exclude(status__in=DONE_STATUSES).select_related("organization", "team", "assignee")[:limit])
    for issue in issues:
        if issue.pk not in covered:
            entries.append(QueueEntry("issue", issue_weight(issue), int((now - issue.created_at).total_seconds()),
                                      issue=issue))
    entries.sort(key=lambda e: (-e.impact, -e.age_seconds))
    return entries[:limit]


def list_team_tasks(issue: Issue):
    return TeamTask.objects.filter(issue=issue).select_related("team", "owner")
