"""One issue's fact row from its history: pure functions over plain values, no database.

Definitions the pages rely on:
- durations are **wall-clock** minutes (first response: creation to `first_response_at`;
  resolution: creation to `resolved_at`, only while the issue is done). Business-hours time is what
  the SLA clocks measure; their met/breached outcome is here too, so both views exist.
- an **escalation** is an `escalated` event or a `tier_changed` event upwards (the desk's plain tier
  field); a **de-escalation** the same downwards. Escalated *from tier N* is the tier before the step.
- a **hand-off** is an escalation, a de-escalation or a team change; a team change recorded at the
  same instant as a tier step is part of that step (one hand-off, not two).
- **teams touched** counts the distinct teams that held the issue: the one it started with and every
  team a hand-off gave it to.
- an **SLA clock** is breached once the sweep marked it or its end (stop, the pause of a done issue,
  or now) is past its due time; met once stopped, or paused by a done issue, before its due time;
  otherwise not decided yet.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tierline.escalation.models import ClockKind
from tierline.issues.models import DONE_STATUSES, EventKind

from .models import SlaOutcome

HISTORY_KINDS = (EventKind.ESCALATED, EventKind.DE_ESCALATED, EventKind.TIER_CHANGED, EventKind.TEAM_CHANGED,
                 EventKind.REOPENED)


@dataclass(frozen=True)
class Event:
    kind: str
    at: datetime
    data: dict


@dataclass(frozen=True)
class Clock:
    kind: str
    due_at: datetime
    stopped_at: datetime | None
    paused_at: datetime | None
    breached_at: datetime | None


def week_of(moment: datetime) -> date:
    day = moment.date()
    return day - timedelta(days=day.weekday())


def minutes_between(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 60, 2)


def _team_id(ref) -> int | None:
    return ref.get("id") if isinstance(ref, dict) else None


def _tier_step(event: Event) -> tuple[int, int] | None:
    if event.kind in (EventKind.ESCALATED, EventKind.DE_ESCALATED, EventKind.TIER_CHANGED):
        before, after = event.data.get("from"), event.data.get("to")
        if isinstance(before, int) and isinstance(after, int) and before != after:
            return before, after
    return None


@dataclass
class Ladder:
    """What the hand-offs of one issue add up to."""

    tiers_reached: int = 0
    tiers_escalated_from: int = 0
    max_tier: int = 0
    escalations: int = 0
    de_escalations: int = 0
    hand_offs: int = 0
    teams_touched: int = 0
    reopen_count: int = 0


def walk_ladder(events: list[Event], *, tier: int, team_id: int | None) -> Ladder:
    """`tier` and `team_id` are the issue's current ones: the start is read back from the first step."""
    events = sorted(events, key=lambda e: e.at)
    steps = [s for s in (_tier_step(e) for e in events) if s]
    start_tier = steps[0][0] if steps else tier
    team_events = [e for e in events if e.kind == EventKind.TEAM_CHANGED]
    first_team = _team_id(team_events[0].data.get("from")) if team_events else None
    handed = [e for e in events if e.kind in (EventKind.ESCALATED, EventKind.DE_ESCALATED)
              and _team_id(e.data.get("from_team")) != _team_id(e.data.get("to_team"))]
    if handed and (not team_events or handed[0].at < team_events[0].at):
        first_team = _team_id(handed[0].data.get("from_team"))
    if not team_events and not handed:
        first_team = team_id
    ladder = Ladder(tiers_reached=1 << start_tier, max_tier=start_tier)
    teams = {first_team} - {None}
    step_times = set()
    for event in events:
        step = _tier_step(event)
        if step:
            before, after = step
            ladder.tiers_reached |= 1 << after
            ladder.max_tier = max(ladder.max_tier, after)
            if after > before:
                ladder.escalations += 1
                ladder.tiers_escalated_from |= 1 << before
            else:
                ladder.de_escalations += 1
            ladder.hand_offs += 1
            step_times.add(event.at)
            teams.add(_team_id(event.data.get("to_team")))
        elif event.kind == EventKind.REOPENED:
            ladder.reopen_count += 1
    for event in team_events:
        teams.add(_team_id(event.data.get("to")))
        if event.at not in step_times:
            ladder.hand_offs += 1
    ladder.teams_touched = len(teams - {None})
    return ladder


def clock_outcome(clock: Clock | None, *, is_done: bool, now: datetime) -> str:
    if clock is None:
        return SlaOutcome.NONE
    end = clock.stopped_at or (clock.paused_at if is_done else None)
    if clock.breached_at is not None or (end or now) > clock.due_at:
        return SlaOutcome.BREACHED
    return SlaOutcome.MET if end is not None else SlaOutcome.RUNNING


def build_fact(issue: dict, events: list[Event], clocks: list[Clock], problem_id: int | None,
               now: datetime) -> dict:
    """The fact row's fields for one issue (`issue` holds the Issue columns by name)."""
    is_done = issue["status"] in DONE_STATUSES
    ladder = walk_ladder(events, tier=issue["tier"], team_id=issue["team_id"])
    by_kind = {c.kind: c for c in clocks}
    outcomes = {kind: clock_outcome(by_kind.get(kind), is_done=is_done, now=now) for kind in ClockKind.values}
    created = issue["created_at"]
    return {
        "issue_id": issue["id"], "created_at": created, "created_week": week_of(created),
        "channel": issue["channel"], "organization_id": issue["organization_id"], "team_id": issue["team_id"],
        "component_id": issue["component_id"], "priority": issue["priority"], "tier": issue["tier"],
        "max_tier": max(ladder.max_tier, issue["tier"]), "tiers_reached": ladder.tiers_reached | 1 << issue["tier"],
        "tiers_escalated_from": ladder.tiers_escalated_from, "is_open": not is_done,
        "resolved_at": issue["resolved_at"] if is_done else None,
        "first_response_minutes": minutes_between(created, issue["first_response_at"]),
        "resolution_minutes": minutes_between(created, issue["resolved_at"]) if is_done else None,
        "reopen_count": ladder.reopen_count, "escalations": ladder.escalations,
        "de_escalations": ladder.de_escalations, "hand_offs": ladder.hand_offs,
        "teams_touched": ladder.teams_touched, "problem_id": problem_id,
        "first_response_sla": outcomes[ClockKind.FIRST_RESPONSE],
        "next_response_sla": outcomes[ClockKind.NEXT_RESPONSE],
        "resolution_sla": outcomes[ClockKind.RESOLUTION],
        "breached_clocks": sum(o == SlaOutcome.BREACHED for o in outcomes.values()),
        "refreshed_at": now,
    }
