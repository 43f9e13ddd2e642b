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


def sla_state(issue: Issue, now: datetime | None = None) -> list[dict]:
    now = now or timezone.now()
    order = {"first_response": 0, "next_response": 1, "resolution": 2}
    return sorted((clock_state(c, now) for c in issue.sla_clocks.all()), key=lambda c: order[c["kind"]])


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
