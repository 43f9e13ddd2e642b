"""Server-rendered SVG charts: bar, stacked bar and line, with axes, labels and a legend.

Pure geometry: `bar_chart` and `line_chart` turn categories (x) and named series of numbers into
a `Chart` of shapes; `templates/charts/chart.html` draws it, each bar or point with a `<title>`
and `data-` attributes carrying its series, category and value, so the chart is read by screen
readers and tests alike, and the page puts the same numbers in a table below it. Colours are SVG
presentation attributes (a strict Content-Security-Policy forbids inline styles).
"""

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 44
PALETTE = ("#1f4e8c", "#d9822b", "#2e8540", "#b3261e", "#6a4c93", "#00838f", "#8d6e63", "#546e7a",
           "#c2185b", "#7cb342")
MAX_X_LABELS = 13


@dataclass(frozen=True)
class Mark:
    """One bar (x, y, width, height) or one point of a line (x, y)."""

    series: str
    category: str
    value: float
    x: float
    y: float
    width: float = 0
    height: float = 0
    color: str = ""


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass
class Chart:
    kind: str  # "bar", "stacked", "line"
    title: str
    x_label: str
    y_label: str
    legend: list[tuple[str, str]]  # (series, colour)
    groups: list[tuple[str, list[Mark]]] = field(default_factory=list)  # one per category: bars
    lines: list[tuple[str, str, str, list[Mark]]] = field(default_factory=list)  # series, colour, points, marks
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    right: int = WIDTH - RIGHT

    @property
    def middle(self) -> float:
        return (self.left + self.right) / 2


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 times a power of ten at or above value (1 for nothing)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"


def _frame(kind, title, categories, series, x_label, y_label, top_value) -> tuple[Chart, float, float]:
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(series)}
    chart = Chart(kind=kind, title=title, x_label=x_label, y_label=y_label, legend=list(colours.items()))
    y_max = 4 * nice_ceiling(top_value / 4)  # four round steps up the axis
    span = chart.bottom - chart.top
    chart.y_ticks = [Tick(round(chart.bottom - span * i / 4, 1), _number(y_max * i / 4)) for i in range(5)]
    slot = (chart.right - chart.left) / max(len(categories), 1)
    every = math.ceil(len(categories) / MAX_X_LABELS) or 1
    chart.x_ticks = [Tick(round(chart.left + slot * (i + 0.5), 1), str(label))
                     for i, label in enumerate(categories) if i % every == 0]
    return chart, y_max, slot


def _y(chart: Chart, y_max: float, value: float) -> float:
    return round(chart.bottom - (chart.bottom - chart.top) * value / y_max, 1)


def bar_chart(title: str, categories: list[str], series: dict[str, list[float]], *, stacked: bool = False,
              x_label: str = "", y_label: str = "") -> Chart:
    """Bars per category: side by side, or stacked (one column per category, series on top of each other)."""
    values = list(series.values())
    top = max((sum(column) for column in zip(*values, strict=True)), default=0) if stacked else \
        max((v for vs in values for v in vs), default=0)
    chart, y_max, slot = _frame("stacked" if stacked else "bar", title, categories, series, x_label, y_label, top)
    colours = dict(chart.legend)
    inner = slot * 0.8
    for i, category in enumerate(categories):
        x0, base, marks = chart.left + slot * i + slot * 0.1, 0.0, []
        for j, (name, numbers) in enumerate(series.items()):
            value = numbers[i] or 0
            if stacked:
                y_top, y_bottom, x, width = _y(chart, y_max, base + value), _y(chart, y_max, base), x0, inner
                base += value
            else:
                width = inner / len(series)
                y_top, y_bottom, x = _y(chart, y_max, value), chart.bottom, x0 + width * j
            marks.append(Mark(name, str(category), value, round(x, 1), y_top, round(width, 1),
                              round(y_bottom - y_top, 1), colours[name]))
        chart.groups.append((str(category), marks))
    return chart


def line_chart(title: str, categories: list[str], series: dict[str, list[float | None]], *,
               x_label: str = "", y_label: str = "") -> Chart:
    """One line per series over the categories; a missing value (None) has no point (the line joins its neighbours)."""
    top = max((v for vs in series.values() for v in vs if v is not None), default=0)
    chart, y_max, slot = _frame("line", title, categories, series, x_label, y_label, top)
    for name, colour in chart.legend:
        marks = [Mark(name, str(categories[i]), value, round(chart.left + slot * (i + 0.5), 1),
                      _y(chart, y_max, value), color=colour)
                 for i, value in enumerate(series[name]) if value is not None]
        chart.lines.append((name, colour, " ".join(f"{m.x},{m.y}" for m in marks), marks))
    return chart
