"""The shared SVG chart geometry: bars and stacks scale to a round axis maximum, lines skip missing values."""

from tierline.charts.axes import bar_chart, line_chart, nice_ceiling


def test_axis_maximum_is_a_round_number():
    assert [nice_ceiling(v) for v in (0, 0.7, 3, 7, 12, 26, 101)] == [1, 1, 5, 10, 20, 50, 200]


def test_stacked_bars_sit_on_each_other():
    chart = bar_chart("Inflow", ["w1", "w2"], {"email": [3, 1], "portal": [2, 0]}, stacked=True)
    assert [t.label for t in chart.y_ticks] == ["0", "2", "4", "6", "8"]  # room for 3 + 2 in the first week
    (first, [email, portal]), (second, _) = chart.groups
    assert (first, second) == ("w1", "w2")
    assert email.y + email.height == chart.bottom  # the first series starts on the axis
    assert abs(portal.y + portal.height - email.y) < 0.2  # the next one on top of it
    assert abs(email.height / portal.height - 1.5) < 0.01
    assert [name for name, _ in chart.legend] == ["email", "portal"]


def test_grouped_bars_side_by_side():
    chart = bar_chart("Times", ["P0", "P1"], {"Median": [1, 2], "90th percentile": [4, 8]})
    _, [median, p90] = chart.groups[1]
    assert p90.x > median.x and median.y + median.height == chart.bottom
    assert p90.height == 4 * median.height


def test_lines_skip_missing_values():
    chart = line_chart("Reopen rate", ["a", "b", "c"], {"rate": [10, None, 20]})
    [(name, _, points, marks)] = chart.lines
    assert name == "rate" and [m.category for m in marks] == ["a", "c"] and len(points.split()) == 2
