"""Desk pages for the ladder: hand-offs and questionnaires on the issue page, the breaching-soon
queue, the engineering queue and problems."""

from datetime import timedelta

from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone

from tierline.accounts.models import Team
from tierline.accounts.permissions import has_perm
from tierline.errors import ActionError, InvalidInput
from tierline.issues.views import issue_form, issue_page, staff_required

from .actions import do_answer_questionnaire, do_de_escalate_issue, do_escalate_issue
from .problems import do_create_problem, do_link_issue_to_problem, do_set_team_task, do_unlink_issue_from_problem
from .queries import clock_state, engineering_queue, get_problem, list_breaching_soon, list_problems, problem_impact


@issue_form("issue.escalate", "Your role may not hand off issues")
def handoff(request, issue):
    tier = request.POST.get("to_tier", "")
    action = do_de_escalate_issue if request.POST.get("direction") == "down" else do_escalate_issue
    try:
        action(issue, actor=request.user, note=request.POST.get("note", ""),
               to_tier=int(tier) if tier.isdigit() and len(tier) < 3 else None)
    except ActionError as error:
        return issue_page(request, issue, status=error.status, escalation_error=error.detail,
                          escalation_errors=error.fields)
    return redirect("desk-issue", key=issue.key)


@issue_form("issue.escalate", "Your role may not answer questionnaires")
def questionnaire(request, issue):
    answers = {name[2:]: value.strip() for name, value in request.POST.items() if name.startswith("q-")}
    steps = request.POST.get("reproduction_steps")
    try:
        do_answer_questionnaire(issue, actor=request.user, answers=answers, reproduction_steps=steps)
    except ActionError as error:
        return issue_page(request, issue, status=error.status, escalation_error=error.detail,
                          escalation_errors=error.fields, questionnaire_values=answers,
                          reproduction_value=steps or "")
    return redirect("desk-issue", key=issue.key)


@issue_form("issue.triage", "Your role may not change team tasks")
def team_task(request, issue):
    team = Team.objects.filter(pk=_int(request.POST.get("team"))).first()
    try:
        if team is None:
            raise InvalidInput("Choose a team", {"team": "required"})
        do_set_team_task(issue, actor=request.user, team=team, title=request.POST.get("title") or None,
                         status=request.POST.get("status") or None)
    except ActionError as error:
        return issue_page(request, issue, status=error.status, escalation_error=error.detail)
    return redirect("desk-issue", key=issue.key)


@issue_form("problem.manage", "Your role may not link problems")
def problem_link(request, issue):
    problem = get_problem(_int(request.POST.get("problem")))
    try:
        if problem is None:
            raise InvalidInput("Choose a problem", {"problem": "required"})
        if request.POST.get("unlink"):
            do_unlink_issue_from_problem(problem, issue, actor=request.user)
        else:
            do_link_issue_to_problem(problem, issue, actor=request.user)
    except ActionError as error:
        return issue_page(request, issue, status=error.status, escalation_error=error.detail)
    return redirect("desk-issue", key=issue.key)


def _int(value) -> int:
    return int(value) if value and str(value).isdigit() and len(str(value)) < 19 else 0


@staff_required
def breaching_soon(request):
    now = timezone.now()
    rows = [(b.issue, clock_state(b.clock, now)) for b in list_breaching_soon(request.user, within=timedelta(hours=4),
                                                                               now=now)]
    return render(request, "escalation/breaching.html", {"rows": rows})


@staff_required
def engineering(request):
    if not has_perm(request.user, "escalation.view_engineering"):
        return HttpResponseForbidden("Your role may not see the engineering queue")
    return render(request, "escalation/engineering.html", {"entries": engineering_queue(request.user)})


@staff_required
def problems(request):
    error = None
    if request.method == "POST":
        if not has_perm(request.user, "problem.manage"):
            return HttpResponseForbidden("Your role may not record problems")
        try:
            problem = do_create_problem(actor=request.user, title=request.POST.get("title", ""),
                                        description=request.POST.get("description", ""),
                                        team=Team.objects.filter(pk=_int(request.POST.get("team"))).first(),
                                        fix_version=request.POST.get("fix_version", "")[:50])
            return redirect("escalation-problem", problem_id=problem.pk)
        except ActionError as failure:
            error = failure.detail
    items = [(p, problem_impact(p)) for p in list_problems()]
    return render(request, "escalation/problems.html", {
        "items": items, "error": error, "teams": Team.objects.all(),
        "can_manage": has_perm(request.user, "problem.manage")}, status=422 if error else 200)


@staff_required
def problem_detail(request, problem_id):
    problem = get_problem(problem_id)
    if problem is None:
        raise Http404("Problem not found")
    return render(request, "escalation/problem.html", {"problem": problem, "impact": problem_impact(problem)})
