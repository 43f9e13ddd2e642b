"""Escalation endpoints: hand-offs, questionnaires, SLA state and the breaching-soon queue,
team tasks, problems and the engineering queue; SLA configuration lives in `sla_api`."""

from datetime import timedelta

from ninja import Query, Router

from tierline.accounts.models import Team, User
from tierline.accounts.permissions import has_perm
from tierline.errors import InvalidInput, NotFound, PermissionDenied
from tierline.issues.queries import get_issue_for_user
from tierline.issues.schemas import IssueOut
from tierline.schemas import ERRORS, referenced_row

from .actions import do_answer_questionnaire, do_de_escalate_issue, do_escalate_issue
from .models import Problem
from .problems import (
    do_create_problem,
    do_link_issue_to_problem,
    do_set_team_task,
    do_unlink_issue_from_problem,
    do_update_problem,
)
from .queries import (
    clock_state,
    engineering_queue,
    get_problem,
    list_breaching_soon,
    list_problems,
    list_team_tasks,
    problem_impact,
    questionnaire_state,
    sla_state,
)
from .schemas import (
    BreachingOut,
    ClockOut,
    HandoffIn,
    ProblemIn,
    ProblemLinkIn,
    ProblemOut,
    ProblemPatch,
    QuestionnaireIn,
    QuestionnaireOut,
    QueueEntryOut,
    TeamTaskIn,
    TeamTaskOut,
)
from .sla_api import router as sla_router

router = Router(tags=["escalation"])
router.add_router("/", sla_router)


def _issue_for_staff(request, key: str, permission: str = "issue.escalate"):
    issue = get_issue_for_user(request.auth, key)  # 404 for other organizations' issues first
    if not has_perm(request.auth, permission):
        raise PermissionDenied("Only staff work the escalation ladder")
    return issue


def _require(request, permission: str) -> None:
    if not has_perm(request.auth, permission):
        raise PermissionDenied("Your role may not do this")



def _issue_out(issue):
    from tierline.issues.api import issue_out

    return issue_out(issue)


def _ref(obj):
    return {"id": obj.pk, "name": getattr(obj, "display_name", None) or str(obj)} if obj else None


def problem_out(problem: Problem) -> dict:
    links = list(problem.links.all())
    return {
        "id": problem.pk, "title": problem.title, "description": problem.description, "team": _ref(problem.team),
        "status": problem.status, "fix_version": problem.fix_version, "impact": problem_impact(problem),
        "issues": [{"key": link.issue.key, "title": link.issue.title, "status": link.issue.status,
                    "priority": link.issue.priority, "organization": _ref(link.issue.organization)}
                   for link in links],
        "created_at": problem.created_at, "updated_at": problem.updated_at,
    }


def _handoff(request, key: str, payload: HandoffIn, action):
    issue = _issue_for_staff(request, key)
    action(issue, actor=request.auth, note=payload.note, to_tier=payload.to_tier,
           team=referenced_row(Team, payload.team_id, "team_id"),
           assignee=referenced_row(User, payload.assignee_id, "assignee_id", is_active=True))
    return _issue_out(get_issue_for_user(request.auth, key))


@router.post("/issues/{key}/escalate", response={200: IssueOut, **ERRORS})
def escalate_issue(request, key: str, payload: HandoffIn):
    """Up the ladder (default: one tier). Into engineering it needs evidence and the
    questionnaire; a refusal (422) lists every gap in `fields`."""
    return _handoff(request, key, payload, do_escalate_issue)


@router.post("/issues/{key}/de-escalate", response={200: IssueOut, **ERRORS})
def de_escalate_issue(request, key: str, payload: HandoffIn):
    """Down the ladder (default: one tier), with a hand-off note."""
    return _handoff(request, key, payload, do_de_escalate_issue)


@router.get("/issues/{key}/questionnaire", response={200: QuestionnaireOut, **ERRORS})
def get_questionnaire(request, key: str):
    """The component's questionnaire (JSON Schema), answers pre-filled from the organization's
    known environment, and what an escalation into engineering still misses."""
    return questionnaire_state(_issue_for_staff(request, key))


@router.post("/issues/{key}/questionnaire", response={200: QuestionnaireOut, **ERRORS})
def answer_questionnaire(request, key: str, payload: QuestionnaireIn):
    """Answers merge over earlier ones; invalid ones come back as 422 with one field each
    (`questionnaire.<name>`)."""
    issue = _issue_for_staff(request, key)
    do_answer_questionnaire(issue, actor=request.auth, answers=payload.answers,
                            reproduction_steps=payload.reproduction_steps)
    return questionnaire_state(get_issue_for_user(request.auth, key))


@router.get("/issues/{key}/sla", response={200: list[ClockOut], **ERRORS})
def get_sla(request, key: str):
    """Each SLA clock: due and warning times, time left, paused, met or breached."""
    return sla_state(_issue_for_staff(request, key, "issue.view_all"))


@router.get("/sla/breaching-soon", response={200: list[BreachingOut], **ERRORS})
def get_breaching_soon(request, within_minutes: int = Query(60, ge=0, le=10_080)):
    """Running clocks due within the next `within_minutes` (breached ones first)."""
    _require(request, "issue.view_all")
    from django.utils import timezone

    now = timezone.now()
    return [{"issue": _issue_out(b.issue), "clock": clock_state(b.clock, now)}
            for b in list_breaching_soon(request.auth, within=timedelta(minutes=within_minutes), now=now)]


def _task_out(task) -> dict:
    return {"id": task.pk, "team": _ref(task.team), "title": task.title, "owner": _ref(task.owner),
            "status": task.status, "updated_at": task.updated_at}


@router.get("/issues/{key}/team-tasks", response={200: list[TeamTaskOut], **ERRORS})
def get_team_tasks(request, key: str):
    """Who holds what when several teams work one issue."""
    return [_task_out(t) for t in list_team_tasks(_issue_for_staff(request, key, "issue.view_all"))]


@router.post("/issues/{key}/team-tasks", response={200: TeamTaskOut, **ERRORS})
def set_team_task(request, key: str, payload: TeamTaskIn):
    """Create or change one team's task on the issue (one task per team)."""
    issue = _issue_for_staff(request, key, "issue.triage")
    task = do_set_team_task(issue, actor=request.auth, team=referenced_row(Team, payload.team_id, "team_id"),
                            title=payload.title, status=payload.status,
                            owner=referenced_row(User, payload.owner_id, "owner_id", is_active=True))
    return _task_out(list_team_tasks(issue).get(pk=task.pk))


def _problem_or_404(problem_id: int) -> Problem:
    problem = get_problem(problem_id) if problem_id < 2**63 else None
    if problem is None:
        raise NotFound(f"Problem {problem_id} not found")
    return problem


@router.get("/problems", response={200: list[ProblemOut], **ERRORS})
def get_problems(request):
    _require(request, "escalation.view_engineering")
    return [problem_out(p) for p in list_problems()]


@router.post("/problems", response={201: ProblemOut, **ERRORS})
def create_problem(request, payload: ProblemIn):
    from ninja import Status

    _require(request, "problem.manage")
    problem = do_create_problem(actor=request.auth, title=payload.title, description=payload.description,
                                team=referenced_row(Team, payload.team_id, "team_id"), fix_version=payload.fix_version)
    return Status(201, problem_out(_problem_or_404(problem.pk)))


@router.get("/problems/{problem_id}", response={200: ProblemOut, **ERRORS})
def get_one_problem(request, problem_id: int):
    _require(request, "escalation.view_engineering")
    return problem_out(_problem_or_404(problem_id))


@router.patch("/problems/{problem_id}", response={200: ProblemOut, **ERRORS})
def update_problem(request, problem_id: int, payload: ProblemPatch):
    _require(request, "problem.manage")
    problem = _problem_or_404(problem_id)
    changes = payload.model_dump(exclude_unset=True)
    if "team_id" in changes:
        changes["team"] = referenced_row(Team, changes.pop("team_id"), "team_id")
    for field in ("title", "status", "description", "fix_version"):
        if field in changes and changes[field] is None:
            raise InvalidInput(f"{field} cannot be empty", {field: "required"})
    do_update_problem(problem, actor=request.auth, **changes)
    return problem_out(_problem_or_404(problem_id))


@router.post("/problems/{problem_id}/issues", response={200: ProblemOut, **ERRORS})
def link_problem_issue(request, problem_id: int, payload: ProblemLinkIn):
    """Link an issue to the problem, or unlink it with `"unlink": true`."""
    _require(request, "problem.manage")
    problem = _problem_or_404(problem_id)
    try:
        issue = get_issue_for_user(request.auth, payload.issue_key)
    except NotFound:
        raise InvalidInput("Unknown issue", {"issue_key": "does not exist"}) from None
    if payload.unlink:
        do_unlink_issue_from_problem(problem, issue, actor=request.auth)
    else:
        do_link_issue_to_problem(problem, issue, actor=request.auth)
    return problem_out(_problem_or_404(problem_id))


@router.get("/engineering/queue", response={200: list[QueueEntryOut], **ERRORS})
def get_engineering_queue(request):
    """Open problems and escalated issues, by business impact (linked customers' weight and
    priorities), then age."""
    _require(request, "escalation.view_engineering")
    return [{"kind": e.kind, "impact": e.impact, "age_seconds": e.age_seconds,
             "problem": problem_out(e.problem) if e.problem else None,
             "issue": _issue_out(e.issue) if e.issue else None} for e in engineering_queue(request.auth)]
