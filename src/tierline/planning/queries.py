"""Reads for the planning pages and endpoints: time entries, budgets, and a team's weeks.

`read_ledger` loads a window of the timeline, the logged time and the team memberships in a
fixed number of queries and hands them to the pure `ledger.build_ledger`; `team_weeks` and
`team_forecast` shape one team's view of it.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Min, Subquery
from django.utils import timezone

from tierline.accounts.models import Team
from tierline.accounts.permissions import has_perm
from tierline.errors import NotFound
from tierline.issues.models import Issue, IssueEvent

from .effort import ACTION_KINDS, week_of
from .forecast import Forecast, forecast
from .ledger import TEAM_MOVES, Event, Ledger, Logged, build_ledger
from .models import TeamBudget, TimeEntry

HISTORY_WEEKS = 26
WEEK = timedelta(days=7)


def list_time_entries(issue: Issue):
    return TimeEntry.objects.filter(issue=issue, removed_at=None).select_related("user", "team")


def get_team_or_404(user, team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id).first() if has_perm(user, "planning.view") else None
    if team is None:
        raise NotFound(f"Team {team_id} not found")
    return team


def list_budgets(team: Team):
    return TeamBudget.objects.filter(team=team).select_related("set_by").order_by("starts_on", "id")


def weekly_budgets(budgets: list[TeamBudget], weeks: list[date]) -> dict[date, float | None]:
    """The budget in force each week: the latest one starting in or before that week."""
    ordered = sorted(budgets, key=lambda b: (b.starts_on, b.created_at, b.pk or 0))
    result = {}
    for week in weeks:
        current = [b for b in ordered if week_of(b.starts_on) <= week]
        result[week] = current[-1].weekly_hours if current else None
    return result


def this_week(today: date | None = None) -> date:
    return week_of(today or timezone.localdate())


def _start(week: date) -> datetime:
    return timezone.make_aware(datetime.combine(week, time.min))


def read_ledger(since_week: date) -> Ledger:
    since = _start(since_week)
    kinds = ACTION_KINDS | set(TEAM_MOVES)
    events = IssueEvent.objects.filter(created_at__gte=since, kind__in=kinds)
    issues = {pk: (team_id, created_at) for pk, team_id, created_at in Issue.objects.filter(
        pk__in=Subquery(events.values("issue_id"))).values_list("pk", "team_id", "created_at")}
    issues.update({pk: (team_id, created_at) for pk, team_id, created_at in Issue.objects.filter(
        created_at__gte=since).values_list("pk", "team_id", "created_at")})
    # Only hand-offs need their data: not decoding every reply's JSON halves the read.
    fields = ("created_at", "id", "issue_id", "kind", "actor_id")
    actions = events.exclude(kind__in=list(TEAM_MOVES)).values_list(*fields)
    moves = events.filter(kind__in=list(TEAM_MOVES)).values_list(*fields, "data")
    rows = [Event(issue_id, kind, actor_id, at, data[0] if data else {}) for at, _, issue_id, kind, actor_id, *data
            in sorted([*actions, *moves], key=lambda row: (row[0], row[1]))]
    logged = [Logged(*row) for row in TimeEntry.objects.filter(spent_on__gte=since_week, removed_at=None)
              .values_list("user_id", "issue_id", "team_id", "spent_on", "minutes")]
    memberships: dict[int, list[int]] = {}
    for user_id, team_id in Team.members.through.objects.order_by("team__tier", "team__name").values_list(
            "user_id", "team_id"):
        memberships.setdefault(user_id, []).append(team_id)
    return build_ledger(issues=issues, events=rows, logged=logged, memberships=memberships, since=since,
                        tz=timezone.get_current_timezone())


@dataclass(frozen=True)
class WeekRow:
    week: date
    logged_hours: float
    derived_hours: float
    budget_hours: float | None
    escalations: int

    @property
    def hours(self) -> float:
        return round(self.logged_hours + self.derived_hours, 1)

    @property
    def is_over_budget(self) -> bool:
        return self.budget_hours is not None and self.hours > self.budget_hours


def team_weeks(team: Team, ledger: Ledger, *, weeks: int = HISTORY_WEEKS, today: date | None = None) -> list[WeekRow]:
    """The last `weeks` weeks up to and including this one, oldest first."""
    current = this_week(today)
    keys = [current - WEEK * n for n in range(weeks - 1, -1, -1)]
    budgets = weekly_budgets(list(list_budgets(team)), keys)
    return [WeekRow(week=w, logged_hours=round(ledger.logged[team.pk].get(w, 0) / 60, 1),
                    derived_hours=round(ledger.derived[team.pk].get(w, 0) / 60, 1), budget_hours=budgets[w],
                    escalations=ledger.arrivals[team.pk].get(w, 0)) for w in keys]


def history_start(weeks: int = HISTORY_WEEKS, today: date | None = None) -> date:
    return this_week(today) - WEEK * (weeks - 1)


def first_full_week(since_week: date) -> date:
    """Counting starts after the week of the first issue: that week is only partly recorded."""
    first = Issue.objects.aggregate(first=Min("created_at"))["first"]
    if first is None:
        return since_week
    return max(since_week, week_of(timezone.localtime(first).date()) + WEEK)


def team_forecast(team: Team, ledger: Ledger, *, since_week: date, today: date | None = None, seed: int = 0,
                  simulations: int | None = None) -> tuple[list[date], Forecast]:
    """Fit on the complete weeks (this one is still running); the horizon starts this week."""
    current = this_week(today)
    start = first_full_week(since_week)
    counts = [ledger.arrivals[team.pk].get(start + WEEK * n, 0) for n in range((current - start) // WEEK)]
    # Leaving out the issues of the last weeks (their work mostly ahead) or fitting on the last 8
    # weeks only did not help in bench/forecast_backtest.py: every week and every issue count.
    samples = ledger.hours_per_arrival(team.pk, until=current)
    result = forecast(counts, samples, seed=seed,
                      **({"simulations": simulations} if simulations else {}))
    return [current + WEEK * n for n in range(len(result.hours))], result
