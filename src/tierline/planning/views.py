"""The planning desk pages: every team's week at a glance, a team's planning page (unplanned
hours against budget per week as a chart and a table, the forecast, the budget form), and the
issue page's time panel forms. Views parse, check access and call actions."""

from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils import timezone

from tierline.accounts.models import Team
from tierline.accounts.permissions import can_manage_team_planning, has_perm
from tierline.charts.panels import HEIGHT, WIDTH, draw_bars
from tierline.errors import ActionError
from tierline.issues.views import issue_form, issue_page, staff_required

from .actions import do_log_time, do_remove_time_entry, do_set_team_budget
from .forms import BUDGET_FIELDS, budget_fields, time_fields, typed
from .queries import history_start, list_budgets, list_time_entries, read_ledger, team_forecast, team_weeks

CONFIDENCES = (0.8, 0.9, 0.95)


def _may_view(user):
    return None if has_perm(user, "planning.view") else HttpResponseForbidden("Your role may not see planning")


@staff_required
def teams(request):
    refusal = _may_view(request.user)
    if refusal:
        return refusal
    ledger = read_ledger(history_start(weeks=1))
    rows = [(team, team_weeks(team, ledger, weeks=1)[0]) for team in Team.objects.all()]
    return render(request, "planning/teams.html", {"rows": rows})


def _team_or_404(team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise Http404("No such team")
    return team


def _confidence(text: str | None) -> float:
    try:
        value = float(text or 0.9)
    except ValueError:
        return 0.9
    return value if value in CONFIDENCES else 0.9


def _team_page(request, team: Team, *, status: int = 200, **extra):
    since = history_start()
    ledger = read_ledger(since)
    weeks = team_weeks(team, ledger)
    horizon, result = team_forecast(team, ledger, since_week=since)
    confidence = _confidence(request.GET.get("confidence"))
    return render(request, "planning/team.html", {
        "team": team, "weeks": weeks, "over_weeks": sum(w.is_over_budget for w in weeks),
        "chart": draw_bars([w.hours for w in weeks], [w.budget_hours for w in weeks]),
        "width": WIDTH, "height": HEIGHT, "budgets": list(list_budgets(team))[::-1],
        "forecast": result, "forecast_weeks": list(zip(horizon, result.escalations, result.hours, strict=True)),
        "confidence": confidence, "confidences": CONFIDENCES, "reserve": result.reserve(confidence),
        "can_manage": can_manage_team_planning(request.user, team),
        "budget_values": extra.pop("budget_values", None) or {"period_weeks": "1",
                                                                "starts_on": timezone.localdate().isoformat()},
        **extra,
    }, status=status)


@staff_required
def team(request, team_id: int):
    refusal = _may_view(request.user)
    return refusal or _team_page(request, _team_or_404(team_id))


@staff_required
def set_budget(request, team_id: int):
    if request.method != "POST":
        return redirect("planning-team", team_id=team_id)
    refusal = _may_view(request.user)
    if refusal:
        return refusal
    team = _team_or_404(team_id)
    if not can_manage_team_planning(request.user, team):
        return HttpResponseForbidden("Admins and the team's leads set its budget")
    try:
        do_set_team_budget(team, actor=request.user, **budget_fields(request.POST))
    except ActionError as error:
        return _team_page(request, team, status=error.status, budget_error=error.detail,
                          budget_errors=error.fields, budget_values=typed(request.POST, BUDGET_FIELDS))
    return redirect("planning-team", team_id=team.pk)


@issue_form("time.log", "Your role may not log time")
def log_time(request, issue):
    try:
        do_log_time(issue, actor=request.user, **time_fields(request.POST))
    except ActionError as error:
        return issue_page(request, issue, status=error.status, time_error=error.detail, time_errors=error.fields,
                          time_values=request.POST)
    return redirect("desk-issue", key=issue.key)


@issue_form("time.log", "Your role may not log time")
def remove_time(request, issue):
    entry_id = request.POST.get("entry", "")
    entry = list_time_entries(issue).filter(pk=entry_id).first() if entry_id.isdigit() and len(entry_id) < 19 \
        else None
    if entry is None:
        raise Http404("No such time entry")
    try:
        do_remove_time_entry(entry, actor=request.user)
    except ActionError as error:
        return issue_page(request, issue, status=error.status, time_error=error.detail)
    return redirect("desk-issue", key=issue.key)
