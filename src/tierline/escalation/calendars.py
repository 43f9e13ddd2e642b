"""Business-hours arithmetic: adding business minutes to an instant, and counting them between
two instants, in a calendar's own time zone (zoneinfo), skipping weekends and holidays.

`calendar=None` means around the clock. Working hours are wall-clock times, so a workday stays
09:00-17:00 local across a daylight-saving change.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS = 3660  # ten years of days: a calendar with no working day at all ends here, not never


def _windows(calendar, since: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Working windows that end after `since`, the first one clipped to start at `since`."""
    zone = ZoneInfo(calendar.time_zone)
    weekdays, holidays = set(calendar.weekdays), set(calendar.holidays)
    day: date = since.astimezone(zone).date()
    for _ in range(MAX_DAYS):
        if day.weekday() in weekdays and day.isoformat() not in holidays:
            start = datetime.combine(day, calendar.workday_start, zone)
            end = datetime.combine(day, calendar.workday_end, zone)
            if end > since:
                yield max(start, since), end
        day += timedelta(days=1)


def add_business_minutes(calendar, start: datetime, minutes: float) -> datetime:
    if minutes <= 0:
        return start
    if calendar is None:
        return start + timedelta(minutes=minutes)
    remaining = minutes
    for window_start, window_end in _windows(calendar, start):
        available = (window_end - window_start).total_seconds() / 60
        if remaining <= available:
            return window_start + timedelta(minutes=remaining)
        remaining -= available
    raise ValueError(f"calendar {calendar} has no working time in {MAX_DAYS} days")


def business_minutes_between(calendar, start: datetime, end: datetime) -> float:
    if end <= start:
        return 0.0
    if calendar is None:
        return (end - start).total_seconds() / 60
    total = 0.0
    for window_start, window_end in _windows(calendar, start):
        if window_start >= end:
            break
        total += (min(window_end, end) - window_start).total_seconds() / 60
    return total
