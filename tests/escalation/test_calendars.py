"""Business-hours arithmetic across weekends, holidays, time zones and DST."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from tierline.escalation.calendars import add_business_minutes, business_minutes_between
from tierline.escalation.models import BusinessCalendar

PARIS = ZoneInfo("Europe/Paris")


def calendar(zone="Europe/Paris", holidays=()):
    # Unsaved: the arithmetic only reads fields.
    return BusinessCalendar(name="x", time_zone=zone, workday_start=time(9), workday_end=time(17),
                            weekdays=[0, 1, 2, 3, 4], holidays=list(holidays))


def test_around_the_clock_without_a_calendar():
    start = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    assert add_business_minutes(None, start, 120) == datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    assert business_minutes_between(None, start, datetime(2026, 11, 28, 16, 0, tzinfo=UTC)) == 1440


def test_friday_afternoon_runs_over_the_weekend_to_monday():
    friday_4pm = datetime(2026, 11, 27, 16, 0, tzinfo=PARIS)  # a Friday
    due = add_business_minutes(calendar(), friday_4pm, 120)
    assert due == datetime(2026, 11, 30, 10, 0, tzinfo=PARIS)
    assert business_minutes_between(calendar(), friday_4pm, due) == 120


def test_a_holiday_is_skipped():
    cal = calendar(holidays=["2026-11-30"])
    due = add_business_minutes(cal, datetime(2026, 11, 27, 16, 0, tzinfo=PARIS), 120)
    assert due == datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)


def test_start_outside_hours_begins_at_the_next_opening():
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=PARIS)
    assert add_business_minutes(calendar(), saturday, 30) == datetime(2026, 11, 30, 9, 30, tzinfo=PARIS)
    early = datetime(2026, 12, 1, 6, 0, tzinfo=PARIS)
    assert add_business_minutes(calendar(), early, 60) == datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)


def test_hours_are_the_calendars_own_time_zone():
    # 23:00 UTC on Sunday is 08:00 Monday in Tokyo: one hour before opening.
    sunday_night_utc = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)
    due = add_business_minutes(calendar("Asia/Tokyo"), sunday_night_utc, 60)
    assert due == datetime(2026, 11, 30, 10, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert due.astimezone(UTC) == datetime(2026, 11, 30, 1, 0, tzinfo=UTC)


def test_workday_stays_local_across_daylight_saving():
    # Paris leaves summer time on Sunday 25 October 2026: Friday 16:00 CEST + 2h -> Monday 10:00 CET.
    friday = datetime(2026, 10, 23, 16, 0, tzinfo=PARIS)
    due = add_business_minutes(calendar(), friday, 120)
    assert due == datetime(2026, 10, 26, 10, 0, tzinfo=PARIS)
    assert due.utcoffset().total_seconds() == 3600


@pytest.mark.parametrize("minutes", [1, 59, 480, 481, 2400, 10_000])
def test_adding_then_counting_round_trips(minutes):
    start = datetime(2026, 12, 23, 15, 17, tzinfo=UTC)
    cal = calendar("America/New_York", holidays=["2026-12-25", "2027-01-01"])
    due = add_business_minutes(cal, start, minutes)
    assert business_minutes_between(cal, start, due) == pytest.approx(minutes)
