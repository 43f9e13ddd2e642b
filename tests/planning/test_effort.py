"""The derived-time rule: what an engineer's actions on an issue count when nobody logged time."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from tierline.planning.effort import derive_minutes, week_of

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday


def at(*minutes: int) -> list[datetime]:
    return [T0 + timedelta(minutes=m) for m in minutes]


def test_a_lone_action_counts_ten_minutes():
    assert derive_minutes(at(0)) == {date(2026, 11, 23): 10}


def test_gaps_under_half_an_hour_count_and_longer_ones_end_the_session():
    # 0 -> 20 -> 45 is one session (20 + 25 + the last action's 10); 45 -> 120 is a new one.
    assert derive_minutes(at(0, 20, 45, 120)) == {date(2026, 11, 23): 20 + 25 + 10 + 10}


def test_every_action_counts_at_least_ten_minutes():
    assert derive_minutes(at(0, 3, 6)) == {date(2026, 11, 23): 30}


def test_events_of_one_form_are_one_action():
    # Changing status, team and assignee at once writes three events in the same second.
    moments = [T0, T0 + timedelta(seconds=1), T0 + timedelta(seconds=2)]
    assert derive_minutes(moments) == {date(2026, 11, 23): 10}


def test_a_session_counts_at_most_four_hours():
    chain = at(*range(0, 20 * 60, 25))  # an action every 25 minutes for 20 hours
    assert sum(derive_minutes(chain).values()) == 240


def test_minutes_count_on_the_day_of_their_action_in_the_desk_time_zone():
    late = datetime(2026, 11, 23, 23, 50, tzinfo=UTC)
    assert derive_minutes([late]) == {date(2026, 11, 23): 10}
    assert derive_minutes([late], ZoneInfo("Europe/Paris")) == {date(2026, 11, 24): 10}


def test_order_of_the_actions_does_not_matter():
    assert derive_minutes(at(45, 0, 20)) == derive_minutes(at(0, 20, 45))


def test_weeks_start_on_monday():
    assert week_of(date(2026, 11, 29)) == date(2026, 11, 23)  # a Sunday
    assert week_of(date(2026, 11, 23)) == date(2026, 11, 23)
