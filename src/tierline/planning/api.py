"""/issues/{key}/time (log, list, remove time on an issue) and /teams/{id}/planning, /budgets,
/forecast: a team's unplanned hours per week, its budgets and the forecast of the next weeks."""

from dataclasses import asdict

from ninja import Router, Status

from tierline.accounts.models import Team
from tierline.accounts.permissions import can_manage_team_planning, has_perm, may_manage_some_team_planning
from tierline.accounts.schemas import user_ref
from tierline.errors import InvalidInput, NotFound, PermissionDenied
from tierline.issues.queries import get_issue_for_user
from tierline.schemas import ERRORS, referenced_row

from .actions import do_log_time, do_remove_time_entry, do_set_team_budget
from .queries import (
    get_team_or_404,
    history_start,
    list_budgets,
    list_time_entries,
    read_ledger,
    team_forecast,
    team_weeks,
)
from .schemas import BudgetIn, ForecastOut, TeamBudgetOut, TimeEntryIn, TimeEntryOut, WeekOut

router = Router(tags=["planning"])


def entry_out(entry, issue) -> dict:
    return {"id": entry.pk, "issue": issue.key, "user": user_ref(entry.user), "minutes": entry.minutes,
            "team": {"id": entry.team.pk, "name": entry.team.name} if entry.team_id else None,
            "spent_on": entry.spent_on, "note": entry.note, "created_at": entry.created_at}


def budget_out(budget) -> dict:
    return {"id": budget.pk, "team_id": budget.team_id, "hours": float(budget.hours),
            "period_weeks": budget.period_weeks, "weekly_hours": round(budget.weekly_hours, 2),
            "starts_on": budget.starts_on, "reason": budget.reason, "set_by": user_ref(budget.set_by),
            "created_at": budget.created_at}


def _may_log(user) -> None:
    if not has_perm(user, "time.log"):
        raise PermissionDenied("Only staff log time on issues")


@router.get("/issues/{key}/time", response={200: list[TimeEntryOut], **ERRORS})
def get_time(request, key: str):
    """The time logged on an issue (removed entries left out)."""
    issue = get_issue_for_user(request.auth, key, related=False)
    _may_log(request.auth)
    return [entry_out(e, issue) for e in list_time_entries(issue)]


@router.post("/issues/{key}/time", response={201: TimeEntryOut, **ERRORS})
def log_time(request, key: str, payload: TimeEntryIn):
    """Log minutes on an issue for a day; it replaces the time derived from your actions that day."""
    issue = get_issue_for_user(request.auth, key, related=False)
    _may_log(request.auth)
    team = referenced_row(Team, payload.team_id, "team_id")
    entry = do_log_time(issue, actor=request.auth, minutes=payload.minutes, spent_on=payload.spent_on,
                        note=payload.note, team=team)
    return Status(201, entry_out(entry, issue))


@router.delete("/issues/{key}/time/{entry_id}", response={204: None, **ERRORS})
def remove_time(request, key: str, entry_id: int):
    """Remove your own entry within a day of logging it (admins: any entry)."""
    issue = get_issue_for_user(request.auth, key, related=False)
    _may_log(request.auth)
    entry = next(iter(list_time_entries(issue).filter(pk=entry_id)), None) if 0 < entry_id < 2**63 else None
    if entry is None:
        raise NotFound("Time entry not found")
    do_remove_time_entry(entry, actor=request.auth)
    return Status(204, None)


@router.get("/teams/{team_id}/planning", response={200: list[WeekOut], **ERRORS})
def get_team_planning(request, team_id: int, weeks: int = 26):
    """The team's unplanned hours (logged + derived), budget and escalations for each of the last weeks."""
    team = get_team_or_404(request.auth, team_id)
    if not 1 <= weeks <= 104:
        raise InvalidInput("Invalid weeks", {"weeks": "1 to 104"})
    rows = team_weeks(team, read_ledger(history_start(weeks)), weeks=weeks)
    return [{**asdict(r), "hours": r.hours, "is_over_budget": r.is_over_budget} for r in rows]


@router.get("/teams/{team_id}/budgets", response={200: list[TeamBudgetOut], **ERRORS})
def get_budgets(request, team_id: int):
    team = get_team_or_404(request.auth, team_id)
    return [budget_out(b) for b in list_budgets(team)]


@router.post("/teams/{team_id}/budgets", response={201: TeamBudgetOut, **ERRORS})
def set_budget(request, team_id: int, payload: BudgetIn):
    """A new budget for the team from the week of `starts_on` on (audited)."""
    # Staff who may set no team's budget learn nothing of which teams exist; customers see no teams.
    if has_perm(request.auth, "planning.view") and not may_manage_some_team_planning(request.auth):
        raise PermissionDenied("Admins and the team's leads set its budget")
    team = get_team_or_404(request.auth, team_id)
    if not can_manage_team_planning(request.auth, team):
        raise PermissionDenied("Admins and the team's leads set its budget")
    budget = do_set_team_budget(team, actor=request.auth, hours=payload.hours, period_weeks=payload.period_weeks,
                                starts_on=payload.starts_on, reason=payload.reason)
    return Status(201, budget_out(budget))


def forecast_out(team, weeks, result, confidence: float) -> dict:
    return {
        "team_id": team.pk, "model": result.model.kind, "mean_escalations": round(result.model.mean, 2),
        "dispersion": round(result.model.dispersion, 3) if result.model.dispersion else None,
        "observed_weeks": result.observed_weeks, "hours_samples": result.hours_samples,
        "confidence": confidence, "reserve_hours": result.reserve(confidence),
        "weeks": [{"week": w, "escalations": asdict(e), "hours": asdict(h)}
                  for w, e, h in zip(weeks, result.escalations, result.hours, strict=True)],
    }


@router.get("/teams/{team_id}/forecast", response={200: ForecastOut, **ERRORS})
def get_forecast(request, team_id: int, confidence: float = 0.9):
    """The next four weeks of escalations and hours (median, 80% and 95% intervals) and the hours
    to reserve over them at `confidence` (between 0.5 and 0.99)."""
    team = get_team_or_404(request.auth, team_id)
    if not 0.5 <= confidence <= 0.99:
        raise InvalidInput("Invalid confidence", {"confidence": "between 0.5 and 0.99"})
    since = history_start()
    weeks, result = team_forecast(team, read_ledger(since), since_week=since)
    return forecast_out(team, weeks, result, confidence)
