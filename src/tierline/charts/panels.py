"""Server-rendered SVG charts of the desk's panels, pure geometry (the templates draw them):
`draw`, a metric's window with the detector's normal band and the points outside it
(metrics/_chart.html); `draw_bars`, bars per period against a stepped limit line (the planning
app's budget chart); `draw_series`, named series over evenly spaced steps on one scale
(availability/_chart.html). The analytics pages' charts with axes and legends are in `axes.py`."""

from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 640, 200, 8


@dataclass(frozen=True)
class Chart:
    line: str  # "x,y x,y ..." for <polyline>
    band: str  # the normal band as a <polygon>
    outside: list[tuple[float, float]]  # markers
    y_max: float
    y_min: float


def _scale(lo: float, hi: float, value: float) -> float:
    if hi <= lo:
        return HEIGHT / 2
    return round(HEIGHT - PAD - (value - lo) / (hi - lo) * (HEIGHT - 2 * PAD), 1)


def draw(points) -> Chart | None:
    if len(points) < 2:
        return None
    t0, t1 = points[0].at.timestamp(), points[-1].at.timestamp()
    span = max(t1 - t0, 1.0)
    numbers = [p.value for p in points] + [b for p in points for b in (p.low, p.high) if b is not None]
    lo, hi = min(0.0, min(numbers)), max(numbers) * 1.05 or 1.0

    def x(p) -> float:
        return round(PAD + (p.at.timestamp() - t0) / span * (WIDTH - 2 * PAD), 1)

    line = " ".join(f"{x(p)},{_scale(lo, hi, p.value)}" for p in points)
    banded = [p for p in points if p.low is not None]
    band = " ".join([f"{x(p)},{_scale(lo, hi, max(p.low, lo))}" for p in banded]
                    + [f"{x(p)},{_scale(lo, hi, p.high)}" for p in reversed(banded)])
    outside = [(x(p), _scale(lo, hi, p.value)) for p in points if p.is_outside]
    return Chart(line=line, band=band, outside=outside, y_max=hi, y_min=lo)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: float
    is_over: bool  # above the limit in force for its period


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    limit: str  # the limit as a stepped <polyline>; "" where no period has one
    y_max: float


def draw_bars(values: list[float], limits: list[float | None]) -> BarChart | None:
    """One bar per value, and the limit of each period drawn across its bar's slot."""
    if not values:
        return None
    hi = max([*values, *(v for v in limits if v is not None)]) * 1.1 or 1.0
    slot = (WIDTH - 2 * PAD) / len(values)
    bars = []
    for i, value in enumerate(values):
        y = _scale(0.0, hi, value)
        limit = limits[i]
        bars.append(Bar(x=round(PAD + i * slot + slot * 0.1, 1), y=y, width=round(slot * 0.8, 1),
                        height=round(HEIGHT - PAD - y, 1), value=value, is_over=limit is not None and value > limit))
    steps = [f"{round(PAD + i * slot + dx, 1)},{_scale(0.0, hi, limit)}"
             for i, limit in enumerate(limits) if limit is not None for dx in (0, slot)]
    return BarChart(bars=bars, limit=" ".join(steps), y_max=hi)


@dataclass(frozen=True)
class SeriesChart:
    """Named series over evenly spaced steps (days, say), each a <polyline>, on one scale."""

    lines: dict[str, str]  # series name -> "x,y x,y ..."
    y_min: float
    y_max: float

    def y(self, value: float) -> float:
        """Where a value sits, for a guide line (an objective, a budget's end)."""
        return _scale(self.y_min, self.y_max, value)


def draw_series(series: dict[str, list[float]], *, lo: float | None = None, hi: float | None = None,
                steps: int | None = None) -> SeriesChart | None:
    """`steps`: how many positions the x axis has (more than the values so far: a month not over)."""
    values = [v for vs in series.values() for v in vs]
    if not values:
        return None
    lo = min(values) if lo is None else min(lo, min(values))
    hi = max(values) if hi is None else max(hi, max(values))
    count = max(steps or 0, *(len(vs) for vs in series.values()), 2)

    def x(i: int) -> float:
        return round(PAD + i / (count - 1) * (WIDTH - 2 * PAD), 1)

    lines = {name: " ".join(f"{x(i)},{_scale(lo, hi, v)}" for i, v in enumerate(vs)) for name, vs in series.items()}
    return SeriesChart(lines=lines, y_min=lo, y_max=hi)
