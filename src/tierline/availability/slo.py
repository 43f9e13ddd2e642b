"""Service levels as arithmetic: pure functions over outages as plain values, no database.

- `Span`: one outage as this module sees it (times, scope, issue keys); `affects_organization` /
  `affects_component` say whose downtime it is.
- `merge`: the union of intervals, so overlapping outages are never counted twice.
- `Period`: a calendar month or the rolling 30 days before a moment.
- `measure`: availability, the error budget, what is left of it, the burn rate over the period so
  far and over the last 1 h / 6 h / 24 h, and what each outage consumed (`Charge`).
- `daily`: one `Day` per day of the period so far, for the chart and its table.

Availability is 1 - downtime / elapsed, the part of the period that has passed (the whole period
once it is over). The budget is (1 - objective) x the whole period. The burn rate is the error
rate divided by the allowed error rate: 1 spends the budget exactly by the period's end, 14.4
over one hour spends 2 % of a 30-day budget in that hour.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cached_property

BURN_WINDOWS = (1, 6, 24)  # hours
Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Span:
    id: int
    start: datetime
    end: datetime | None  # None: still going on
    is_global: bool = False
    organization_ids: frozenset[int] = frozenset()
    component_ids: frozenset[int] = frozenset()
    issues: tuple[tuple[str, int | None], ...] = ()  # (key, organization id) of each linked issue
    title: str = ""

    def affects_organization(self, organization_id: int) -> bool:
        """Everyone's outages, the organization's own, and a component's when it names no
        organization: a component down for everyone is down for each customer."""
        if self.is_global or organization_id in self.organization_ids:
            return True
        return bool(self.component_ids) and not self.organization_ids

    def affects_component(self, component_id: int) -> bool:
        return self.is_global or component_id in self.component_ids


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union of intervals, sorted, touching ones joined; empty or reversed ones dropped."""
    merged: list[list[datetime]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def seconds_within(intervals: Iterable[Interval], start: datetime, end: datetime) -> float:
    """Seconds of [start, end) covered by the union of the intervals."""
    return _covered(merge(intervals), start, end)


def _covered(merged: list[Interval], start: datetime, end: datetime) -> float:
    """`seconds_within` for intervals already merged (disjoint stay disjoint once clipped)."""
    total = 0.0
    for a, b in merged:
        if b > start and a < end:
            total += (min(b, end) - max(a, start)).total_seconds()
    return total


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    label: str

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()

    @classmethod
    def month(cls, year: int, month: int, tz=UTC) -> "Period":
        days = calendar.monthrange(year, month)[1]
        start = datetime(year, month, 1, tzinfo=tz)
        return cls(start, start + timedelta(days=days), f"{year:04d}-{month:02d}")

    @classmethod
    def rolling(cls, now: datetime, days: int = 30) -> "Period":
        return cls(now - timedelta(days=days), now, f"last {days} days")


@dataclass(frozen=True)
class Charge:
    """What one outage consumed of a period: its own minutes, and the minutes charged to it once
    overlaps are counted once (each moment goes to the outage that started first), so the charged
    minutes of a period add up to its downtime."""

    span: Span
    start: datetime
    end: datetime
    minutes: float
    charged_minutes: float


@dataclass(frozen=True)
class Budget:
    period: Period
    as_of: datetime
    objective: Decimal  # percent
    elapsed_seconds: float
    downtime_seconds: float
    allowed_seconds: float
    burn_rates: dict[int, float]  # hours -> burn rate over the last hours before as_of
    spans: tuple[Span, ...] = ()

    @cached_property
    def charges(self) -> list[Charge]:
        """Computed when asked: an overview of every subject shows only one subject's."""
        until = self.period.start + timedelta(seconds=self.elapsed_seconds)
        return charges(self.spans, self.period.start, until) if self.spans else []

    @property
    def availability(self) -> float:
        """Percent of the elapsed period the service was up."""
        if self.elapsed_seconds <= 0:
            return 100.0
        return 100.0 * (1 - self.downtime_seconds / self.elapsed_seconds)

    @property
    def downtime_minutes(self) -> float:
        return self.downtime_seconds / 60

    @property
    def allowed_minutes(self) -> float:
        return self.allowed_seconds / 60

    @property
    def left_minutes(self) -> float:
        return (self.allowed_seconds - self.downtime_seconds) / 60

    @property
    def left_percent(self) -> float:
        return 100.0 * (self.allowed_seconds - self.downtime_seconds) / self.allowed_seconds

    @property
    def burn_rate(self) -> float:
        """Budget consumed / fraction of the period elapsed (1: on course to spend exactly all)."""
        if self.elapsed_seconds <= 0:
            return 0.0
        return (self.downtime_seconds / self.allowed_seconds) / (self.elapsed_seconds / self.period.seconds)

    @property
    def is_met(self) -> bool:
        return self.downtime_seconds <= self.allowed_seconds


def percent_text(value) -> str:
    """99.900 -> "99.9", the way people write an objective."""
    return f"{Decimal(value).normalize():f}"


def allowed_fraction(objective: Decimal) -> float:
    """(1 - objective) as an exact fraction: 99.9 -> 0.001, computed in decimal so that 43.2
    minutes of a 30-day month is exactly the whole budget."""
    return float((Decimal(100) - Decimal(objective)) / Decimal(100))


def _intervals(spans: Iterable[Span], as_of: datetime) -> list[Interval]:
    return [(s.start, min(s.end or as_of, as_of)) for s in spans]


def charges(spans: Iterable[Span], start: datetime, end: datetime) -> list[Charge]:
    """Each outage overlapping [start, end) with its minutes, earliest first."""
    clipped = sorted(((max(s.start, start), min(s.end or end, end), s) for s in spans),
                     key=lambda c: (c[0], c[2].id))
    found, covered = [], start
    for a, b, span in clipped:
        if b <= a:
            continue
        charged = max(0.0, (b - max(a, covered)).total_seconds())
        covered = max(covered, b)
        found.append(Charge(span, a, b, (b - a).total_seconds() / 60, charged / 60))
    return found


def measure(spans: Iterable[Span], objective: Decimal, period: Period, as_of: datetime) -> Budget:
    """The numbers of one subject (its spans already chosen) over `period`, as of `as_of`."""
    spans = list(spans)
    until = min(max(as_of, period.start), period.end)
    intervals = merge(_intervals(spans, as_of))
    fraction = allowed_fraction(objective)
    burn = {}
    for hours in BURN_WINDOWS:
        window = timedelta(hours=hours)
        burn[hours] = _covered(intervals, as_of - window, as_of) / window.total_seconds() / fraction
    return Budget(
        period=period, as_of=as_of, objective=Decimal(objective),
        elapsed_seconds=(until - period.start).total_seconds(),
        downtime_seconds=_covered(intervals, period.start, until),
        allowed_seconds=float(Decimal(period.seconds) * (Decimal(100) - Decimal(objective)) / Decimal(100)),
        burn_rates=burn, spans=tuple(spans),
    )


@dataclass(frozen=True)
class Day:
    day: date
    availability: float  # percent of the day (so far) up
    downtime_minutes: float
    budget_used: float  # percent of the period's budget used by the end of this day


def daily(spans: Iterable[Span], objective: Decimal, period: Period, as_of: datetime) -> list[Day]:
    """One entry per day of the period up to `as_of` (days start at the period's midnights)."""
    intervals = merge(_intervals(spans, as_of))
    allowed = period.seconds * allowed_fraction(objective)
    days, used, start = [], 0.0, period.start
    while start < min(period.end, as_of):
        end = min(start + timedelta(days=1), period.end, as_of)
        down = _covered(intervals, start, end)
        used += down
        length = (end - start).total_seconds()
        days.append(Day(start.date(), 100.0 * (1 - down / length), down / 60, 100.0 * used / allowed))
        start += timedelta(days=1)
    return days
