"""The service-level arithmetic on hand-built outages whose answers are known."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tierline.availability.slo import Period, Span, daily, measure, merge, seconds_within

NOV = Period.month(2026, 11)  # 30 days
AFTER_NOV = datetime(2026, 12, 5, tzinfo=UTC)


def at(day: int, hour: int = 0, minute: float = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC) + timedelta(minutes=minute)


def span(id_, start, end, **scope) -> Span:
    return Span(id=id_, start=start, end=end, **scope)


def test_overlapping_intervals_are_counted_once():
    a, b, c = at(1, 10), at(1, 11), at(1, 12)
    assert merge([(a, c), (b, c)]) == [(a, c)]
    assert merge([(b, c), (a, b)]) == [(a, c)]  # touching ones join
    assert merge([(a, b), (c, c + timedelta(hours=1))]) == [(a, b), (c, c + timedelta(hours=1))]
    assert merge([(b, a)]) == []  # a reversed interval is nothing
    assert seconds_within([(a, c), (b, c), (a, b)], a, c) == 7200


def test_a_window_clips_what_it_counts():
    assert seconds_within([(at(1, 10), at(1, 14))], at(1, 12), at(1, 20)) == 2 * 3600
    assert seconds_within([(at(1, 10), at(1, 11))], at(2), at(3)) == 0


def test_43_2_minutes_in_a_30_day_month_at_99_9_uses_the_whole_budget():
    budget = measure([span(1, at(10, 8), at(10, 8, 43.2))], Decimal("99.9"), NOV, AFTER_NOV)
    assert budget.allowed_minutes == pytest.approx(43.2)
    assert budget.downtime_minutes == pytest.approx(43.2)
    assert budget.left_minutes == 0 and budget.left_percent == 0
    assert budget.is_met
    assert budget.availability == pytest.approx(99.9)
    assert budget.burn_rate == pytest.approx(1.0)


def test_overlapping_outages_of_one_scope_are_not_double_counted():
    one = span(1, at(3, 10), at(3, 11))
    two = span(2, at(3, 10, 30), at(3, 12))  # overlaps the first by 30 minutes
    budget = measure([one, two], Decimal("99.9"), NOV, AFTER_NOV)
    assert budget.downtime_minutes == 120
    assert budget.left_minutes == pytest.approx(43.2 - 120)
    assert not budget.is_met
    # Each outage keeps its own length, and what it is charged adds up to the downtime.
    assert [(c.span.id, c.minutes, c.charged_minutes) for c in budget.charges] == [(1, 60, 60), (2, 90, 60)]


def test_an_ongoing_month_burns_against_the_elapsed_fraction():
    # 10 days into November, 21.6 minutes down: half the budget used in a third of the month.
    now = at(11)
    budget = measure([span(1, at(5, 9), at(5, 9, 21.6))], Decimal("99.9"), NOV, now)
    assert budget.elapsed_seconds == 10 * 86400
    assert budget.left_percent == pytest.approx(50)
    assert budget.burn_rate == pytest.approx(0.5 / (10 / 30))
    assert budget.availability == pytest.approx(100 * (1 - 21.6 * 60 / (10 * 86400)))


def test_an_open_outage_counts_until_now():
    now = at(20, 12)
    budget = measure([span(1, at(20, 11), None)], Decimal("99.95"), NOV, now)
    assert budget.downtime_minutes == 60
    assert budget.charges[0].end == now


def test_multi_window_burn_rates():
    # Down for the last 30 minutes at 99.9: half of every hour is 500 times the allowed rate.
    now = at(20, 12)
    budget = measure([span(1, now - timedelta(minutes=30), None)], Decimal("99.9"), NOV, now)
    assert budget.burn_rates[1] == pytest.approx(0.5 / 0.001)
    assert budget.burn_rates[6] == pytest.approx(0.5 / 6 / 0.001)
    assert budget.burn_rates[24] == pytest.approx(0.5 / 24 / 0.001)


def test_burn_windows_see_outages_before_the_period():
    # The rolling windows look back from now even across the month's start.
    now = at(1, 1, month=12)
    budget = measure([span(1, at(30, 23), at(30, 23, 30))], Decimal("99.9"), Period.month(2026, 12), now)
    assert budget.downtime_minutes == 0
    assert budget.burn_rates[6] == pytest.approx(0.5 / 6 / 0.001)


def test_a_rolling_30_days():
    now = at(20, 12)
    period = Period.rolling(now)
    assert period.seconds == 30 * 86400
    budget = measure([span(1, now - timedelta(days=31), now - timedelta(days=29, hours=23))],
                     Decimal("99.9"), period, now)
    assert budget.downtime_minutes == 60  # the hour inside the 30 days


def test_a_month_not_begun_is_untouched():
    budget = measure([], Decimal("99.9"), Period.month(2027, 1), AFTER_NOV)
    assert budget.elapsed_seconds == 0 and budget.availability == 100 and budget.burn_rate == 0
    assert budget.left_percent == 100


def test_scope_whose_downtime_an_outage_is():
    acme, globex, api = 1, 2, 7
    assert span(1, at(1), at(2), is_global=True).affects_organization(acme)
    assert span(1, at(1), at(2), organization_ids=frozenset({acme})).affects_organization(acme)
    assert not span(1, at(1), at(2), organization_ids=frozenset({globex})).affects_organization(acme)
    # A component down for everyone is down for each customer, and for the component.
    assert span(1, at(1), at(2), component_ids=frozenset({api})).affects_organization(acme)
    assert span(1, at(1), at(2), component_ids=frozenset({api})).affects_component(api)
    # One customer's trouble on a component is theirs, not another customer's.
    only_globex = span(1, at(1), at(2), organization_ids=frozenset({globex}), component_ids=frozenset({api}))
    assert not only_globex.affects_organization(acme) and only_globex.affects_component(api)
    assert not span(1, at(1), at(2), organization_ids=frozenset({acme})).affects_component(api)


def test_daily_availability_and_budget_used():
    outages = [span(1, at(2, 23), at(3, 1)), span(2, at(3, 0, 30), at(3, 0, 45))]
    days = daily(outages, Decimal("99.9"), NOV, at(4, 12))
    assert [d.day.day for d in days] == [1, 2, 3, 4]
    assert [d.downtime_minutes for d in days] == [0, 60, 60, 0]
    assert days[1].availability == pytest.approx(100 * (1 - 60 / 1440))
    assert days[3].availability == 100  # the half day so far
    assert days[2].budget_used == pytest.approx(100 * 120 / 43.2)
    assert days[3].budget_used == days[2].budget_used
