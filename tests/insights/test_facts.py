"""One issue's fact from its history, on plain values: hand-offs, teams, tiers, SLA outcomes."""

from datetime import UTC, datetime, timedelta

from tierline.insights.facts import Clock, Event, clock_outcome, walk_ladder, week_of

T = datetime(2026, 6, 3, 12, tzinfo=UTC)


def team(n):
    return {"id": n, "name": f"Team {n}"}


def test_escalations_de_escalations_and_team_changes_are_hand_offs():
    events = [
        Event("team_changed", T, {"from": team(1), "to": team(2)}),
        Event("escalated", T + timedelta(hours=1), {"from": 1, "to": 3, "from_team": team(2), "to_team": team(3)}),
        Event("de_escalated", T + timedelta(hours=2), {"from": 3, "to": 2, "from_team": team(3), "to_team": team(3)}),
        # The desk's plain fields: a tier step and its team change at the same instant are one hand-off.
        Event("tier_changed", T + timedelta(hours=3), {"from": 2, "to": 4}),
        Event("team_changed", T + timedelta(hours=3), {"from": team(3), "to": team(4)}),
        Event("reopened", T + timedelta(hours=4), {"from": "resolved", "to": "open"}),
    ]
    ladder = walk_ladder(events, tier=4, team_id=4)
    assert ladder.hand_offs == 4
    assert (ladder.escalations, ladder.de_escalations) == (2, 1)
    assert ladder.teams_touched == 4
    assert ladder.tiers_reached == 0b11110  # 1, 3, 2 and 4; never 5
    assert ladder.tiers_escalated_from == 0b00110  # from 1 and from 2
    assert ladder.max_tier == 4
    assert ladder.reopen_count == 1


def test_an_issue_that_never_moved_touched_its_one_team():
    ladder = walk_ladder([], tier=1, team_id=7)
    assert (ladder.hand_offs, ladder.teams_touched, ladder.tiers_reached, ladder.max_tier) == (0, 1, 0b10, 1)
    assert walk_ladder([], tier=1, team_id=None).teams_touched == 0


def test_clock_outcomes():
    due = T + timedelta(hours=1)
    now = T + timedelta(days=1)
    assert clock_outcome(None, is_done=False, now=now) == ""
    assert clock_outcome(Clock("first_response", due, T, None, None), is_done=False, now=now) == "met"
    assert clock_outcome(Clock("first_response", due, due + timedelta(minutes=1), None, None),
                         is_done=False, now=now) == "breached"
    # The sweep's mark counts even if the clock was later stopped in time (it was re-planned).
    assert clock_outcome(Clock("first_response", due, T, None, due), is_done=False, now=now) == "breached"
    # Resolution pauses when the issue is done: met if that was before the due time.
    assert clock_outcome(Clock("resolution", due, None, T, None), is_done=True, now=now) == "met"
    # Paused while waiting on the customer: not decided, unless already overdue.
    assert clock_outcome(Clock("resolution", due, None, T, None), is_done=False, now=T) == "running"
    assert clock_outcome(Clock("resolution", due, None, None, None), is_done=False, now=now) == "breached"


def test_weeks_start_on_monday():
    assert str(week_of(T)) == "2026-06-01"
    assert str(week_of(datetime(2026, 6, 7, 23, 59, tzinfo=UTC))) == "2026-06-01"
    assert str(week_of(datetime(2026, 6, 8, 0, 0, tzinfo=UTC))) == "2026-06-08"
