"""The charts' geometry: one point per day so far on a month-wide axis, on one shared scale, with
the guide lines where their values sit."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tierline.availability.display import charts
from tierline.availability.queries import Report, Target
from tierline.availability.slo import Period, Span, daily, measure
from tierline.charts.panels import HEIGHT, PAD, WIDTH, draw_series


def points(line: str) -> list[tuple[float, float]]:
    return [tuple(map(float, p.split(","))) for p in line.split()]


def test_series_share_one_scale_and_leave_room_for_the_steps_to_come():
    chart = draw_series({"a": [0, 50, 100], "b": [25]}, lo=0, hi=100, steps=5)
    a, b = points(chart.lines["a"]), points(chart.lines["b"])
    assert [x for x, _ in a] == [PAD, PAD + (WIDTH - 2 * PAD) / 4, PAD + (WIDTH - 2 * PAD) / 2]
    assert a[0][1] == HEIGHT - PAD and a[2][1] == PAD  # 0 at the bottom, 100 at the top
    assert b[0][1] == chart.y(25)
    assert draw_series({"a": []}) is None


def test_a_value_beyond_the_asked_scale_widens_it():
    chart = draw_series({"used": [10, 180]}, lo=0, hi=100)
    assert chart.y_max == 180 and chart.y(100) > PAD


def test_the_months_charts():
    period = Period.month(2026, 11)
    as_of = datetime(2026, 11, 10, 12, tzinfo=UTC)
    spans = [Span(1, datetime(2026, 11, 3, 10, tzinfo=UTC), datetime(2026, 11, 3, 10, 30, tzinfo=UTC))]
    report = Report("organization", 1, "Acme", Target(Decimal("99.9"), "customer"),
                    measure(spans, Decimal("99.9"), period, as_of), measure(spans, Decimal("99.9"), period, as_of),
                    daily(spans, Decimal("99.9"), period, as_of))
    drawn = charts(report)
    used, even = points(drawn["burn"].lines["used"]), points(drawn["burn"].lines["even"])
    assert len(used) == len(even) == 10
    assert used[1][1] == drawn["burn"].y(0) and used[2][1] == pytest.approx(drawn["burn"].y(100 * 30 / 43.2), abs=0.1)
    assert even[-1][1] == pytest.approx(drawn["burn"].y(100 * 10 / 30), abs=0.1)
    daily_line = points(drawn["availability_chart"].lines["daily"])
    assert daily_line[2][1] > daily_line[0][1]  # the 3rd dips below the days around it
    assert drawn["objective_y"] == drawn["availability_chart"].y(99.9)
    assert timedelta(days=len(daily_line)) <= as_of - period.start + timedelta(days=1)
