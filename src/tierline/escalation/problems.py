"""Writes for Problems (one root cause, many issues) and team tasks (several teams on one issue).
Each change to an issue's links or tasks lands on its timeline."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from tierline.accounts.models import Team, User
from tierline.errors import InvalidInput
from tierline.issues.models import EventKind, Issue, IssueEvent

from .models import Problem, ProblemLink, ProblemStatus, TaskStatus, TeamTask
from .signals import problem_fixed

PROBLEM_FIELDS = frozenset({"title", "description", "team", "status", "fix_version"})


def _check_problem(changes: dict) -> None:
    if "title" in changes:
        changes["title"] = " ".join((changes["title"] or "").split())
        if not changes["title"]:
            raise InvalidInput("A problem needs a title", {"title": "required"})
    if "status" in changes and changes["status"] not in ProblemStatus.values:
        raise InvalidInput("Invalid status", {"status": f"one of {', '.join(ProblemStatus.values)}"})


def do_create_problem(*, actor: User | None, title: str, description: str = "", team: Team | None = None,
                      fix_version: str = "", at: datetime | None = None) -> Problem:
    fields = {"title": title, "description": description, "team": team, "fix_version": fix_version}
    _check_problem(fields)
    now = at or timezone.now()
    return Problem.objects.create(**fields, created_at=now, updated_at=now)


def do_update_problem(problem: Problem, *, actor: User | None, at: datetime | None = None, **changes) -> Problem:
    unknown = set(changes) - PROBLEM_FIELDS
    if unknown:
        raise InvalidInput("Unknown fields", {f: "cannot be changed" for f in sorted(unknown)})
    _check_problem(changes)
    was_fixed = problem.status == ProblemStatus.FIXED
    for name, value in changes.items():
        setattr(problem, name, value)
    problem.updated_at = at or timezone.now()
    with transaction.atomic():
        problem.save(update_fields=[*changes, "updated_at"])
        if problem.status == ProblemStatus.FIXED and not was_fixed:
            problem_fixed.send(sender=Problem, problem=problem, actor=actor, at=problem.updated_at)
    return problem


def _problem_ref(problem: Problem) -> dict:
    return {"id": problem.pk, "name": str(problem)}


def do_link_issue_to_problem(problem: Problem, issue: Issue, *, actor: User | None,
                             at: datetime | None = None) -> ProblemLink:
    now = at or timezone.now()
    try:
        with transaction.atomic():
            link = ProblemLink.objects.create(problem=problem, issue=issue, linked_by=actor, linked_at=now)
            IssueEvent.objects.create(issue=issue, kind=EventKind.PROBLEM_LINKED, actor=actor, created_at=now,
                                      data={"problem": _problem_ref(problem)})
    except IntegrityError:
        raise InvalidInput("The issue is already linked to this problem", {"issue_key": "already linked"}) from None
    return link


def do_unlink_issue_from_problem(problem: Problem, issue: Issue, *, actor: User | None,
                                 at: datetime | None = None) -> None:
    now = at or timezone.now()
    with transaction.atomic():
        deleted, _ = ProblemLink.objects.filter(problem=problem, issue=issue).delete()
        if not deleted:
            raise InvalidInput("The issue is not linked to this problem", {"issue_key": "not linked"})
        IssueEvent.objects.create(issue=issue, kind=EventKind.PROBLEM_UNLINKED, actor=actor, created_at=now,
                                  data={"problem": _problem_ref(problem)})


def do_set_team_task(issue: Issue, *, actor: User | None, team: Team, title: str | None = None,
                     owner: User | None = None, status: str | None = None,
                     at: datetime | None = None) -> TeamTask:
    """Create or change the task of one team on an issue; owner None leaves it unchanged."""
    if status is not None and status not in TaskStatus.values:
        raise InvalidInput("Invalid status", {"status": f"one of {', '.join(TaskStatus.values)}"})
    if owner is not None and owner.is_customer:
        raise InvalidInput("Tasks are owned by staff", {"owner_id": "not a staff member"})
    now = at or timezone.now()
    with transaction.atomic():
        task = TeamTask.objects.select_for_update().filter(issue=issue, team=team).first()
        if task is None:
            title = " ".join((title or "").split())
            if not title:
                raise InvalidInput("A team task needs a title", {"title": "required"})
            task = TeamTask(issue=issue, team=team, title=title[:300], created_at=now)
        elif title is not None and title.strip():
            task.title = title.strip()[:300]
        if owner is not None:
            task.owner = owner
        if status is not None:
            task.status = status
        task.updated_at = now
        task.save()
        IssueEvent.objects.create(issue=issue, kind=EventKind.TEAM_TASK_CHANGED, actor=actor, created_at=now, data={
            "team": team.name, "title": task.title, "status": task.status,
            "owner": task.owner.display_name if task.owner else None})
    return task
