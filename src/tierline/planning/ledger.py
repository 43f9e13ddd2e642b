"""A team's unplanned work week by week, from plain rows (read by `queries.py`). Pure.

- **Arrivals** ("escalations" on the pages): an issue reaching a team, either opened into it or
  handed to it (team changed, escalated or de-escalated to it). The forecast counts them per week.
- **Hours**: time logged on issues (for the entry's team) plus time derived from the engineers'
  actions (`effort.py`), counted for the team the issue was with at the time when the engineer
  belongs to it, else for the engineer's first team. Logged time for a user, issue and day
  replaces the derived time of that user, issue and day.
- **Hours per escalated issue**: a team's hours on each issue that arrived at it, the sample the
  forecast resamples.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from .effort import ACTION_KINDS, derive_minutes, week_of

TEAM_MOVES = {"team_changed": ("from", "to"), "escalated": ("from_team", "to_team"),
              "de_escalated": ("from_team", "to_team")}


@dataclass(frozen=True)
class Event:
    issue_id: int
    kind: str
    actor_id: int | None
    at: datetime
    data: dict


@dataclass(frozen=True)
class Logged:
    user_id: int
    issue_id: int
    team_id: int | None
    spent_on: date
    minutes: int


@dataclass
class Ledger:
    """Per team: minutes per week (logged and derived apart), arrivals per week, and the hours
    each arrived issue took."""

    logged: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    derived: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    arrivals: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    # team -> issue -> week -> minutes, and team -> issue -> the week it first arrived
    issue_minutes: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(int))))
    arrived: dict = field(default_factory=lambda: defaultdict(dict))

    def add_minutes(self, team_id, issue_id: int, week: date, minutes: int) -> None:
        self.issue_minutes[team_id][issue_id][week] += minutes

    def hours_per_arrival(self, team_id: int, until: date | None = None, settled_weeks: int = 0) -> list[float]:
        """The team's hours on each issue that arrived at it, scaled up by the share of its hours
        spent on issues it helped with without holding them (a tier-2 agent replying on a desk
        issue), so the sample adds up to all the team's hours. With `until` (a week), only what
        was known by its end: issues arrived by then and hours up to then. `settled_weeks`: leave
        out issues that arrived in the last weeks before `until`, whose work mostly lies ahead."""
        spent = self.issue_minutes[team_id]

        def known(issue_id) -> int:
            return sum(m for week, m in spent.get(issue_id, {}).items() if until is None or week <= until)

        last = None if until is None else until - timedelta(days=7 * settled_weeks)
        arrived = {i: known(i) for i, first in self.arrived[team_id].items() if until is None or first <= until}
        total_arrived = sum(arrived.values())
        scale = sum(known(i) for i in spent) / total_arrived if total_arrived else 1.0
        return [minutes * scale / 60 for issue_id, minutes in sorted(arrived.items())
                if last is None or self.arrived[team_id][issue_id] <= last]


def _team_id(ref) -> int | None:
    return ref.get("id") if isinstance(ref, dict) else None


def _team_at(moves: list[tuple[datetime, int | None]], first: int | None, at: datetime) -> int | None:
    team = first
    for moved_at, to in moves:
        if moved_at > at:
            break
        team = to
    return team


def build_ledger(*, issues: dict[int, tuple[int | None, datetime]], events: list[Event], logged: list[Logged],
                 memberships: dict[int, list[int]], since: datetime, tz: tzinfo = UTC) -> Ledger:
    """`issues`: id -> (current team id, created at); `events` from `since` on, in time order;
    `memberships`: user id -> team ids, the first being the user's own team."""
    ledger = Ledger()
    by_issue: dict[int, list[Event]] = defaultdict(list)
    for event in events:
        by_issue[event.issue_id].append(event)
    logged_days = {(e.user_id, e.issue_id, e.spent_on) for e in logged}
    for entry in logged:
        ledger.logged[entry.team_id][week_of(entry.spent_on)] += entry.minutes
        ledger.add_minutes(entry.team_id, entry.issue_id, week_of(entry.spent_on), entry.minutes)
    for issue_id, (current_team, created_at) in issues.items():
        trail = by_issue.get(issue_id, [])
        moves = [(e.at, _team_id(e.data.get(TEAM_MOVES[e.kind][1]))) for e in trail if e.kind in TEAM_MOVES
                 and _team_id(e.data.get(TEAM_MOVES[e.kind][0])) != _team_id(e.data.get(TEAM_MOVES[e.kind][1]))]
        first = next((_team_id(e.data.get(TEAM_MOVES[e.kind][0])) for e in trail if e.kind in TEAM_MOVES),
                     current_team)
        arrivals = ([(created_at, first)] if created_at >= since else []) + moves
        for at, team in arrivals:
            if team is not None:
                week = week_of(at.astimezone(tz).date())
                ledger.arrivals[team][week] += 1
                ledger.arrived[team].setdefault(issue_id, week)
        _derive(ledger, issue_id, trail, moves, first, memberships, logged_days, tz)
    return ledger


def _derive(ledger: Ledger, issue_id: int, trail: list[Event], moves, first, memberships, logged_days, tz) -> None:
    times: dict[int, list[datetime]] = defaultdict(list)
    for event in trail:
        if event.kind in ACTION_KINDS and event.actor_id in memberships:
            times[event.actor_id].append(event.at)
    for user_id, moments in times.items():
        teams = memberships[user_id]
        for day, minutes in derive_minutes(moments, tz).items():
            if (user_id, issue_id, day) in logged_days:
                continue
            # The day's first action decides the team: a session rarely spans a hand-off.
            at = min(m for m in moments if m.astimezone(tz).date() == day)
            held_by = _team_at(moves, first, at)
            team = held_by if held_by in teams else teams[0]
            ledger.derived[team][week_of(day)] += minutes
            ledger.add_minutes(team, issue_id, week_of(day), minutes)
