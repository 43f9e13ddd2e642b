"""The anomaly detector: a robust seasonal baseline per hour-of-week (or hour-of-day) slot, a
binomial test for conversion rates, and k-of-n persistence. Pure numpy/scipy, no Django, so the
benchmark (bench/anomaly.py) runs exactly what the worker runs.

- `baseline_sample`: the values at the same time of the week over the last `weeks` weeks (±half
  a slot); while fewer than `min_weeks` weeks (or `min_samples` values) of it exist, the same time
  of day on the weekdays (or weekend days) of the last `days` days instead. The daily pattern is learnt first,
  the weekly one once there is a history.
- `judge`: one point against its sample: median and MAD (scaled to a standard deviation, floored
  at a fraction of the median so a flat series does not alarm on rounding) give a robust z-score.
  The floor is also the minimum effect: a point must be at least threshold x relative_floor
  (20%) away from the expected value. A conversion rate must also be improbable under a binomial
  test with the expected rate, so a handful of attempts never alarms however low the rate looks.
  A point is *settled* when it is back well inside the band (within `settle` of the threshold).
- `step`: k of the last n points outside opens an anomaly; the last `clear` points recover it
  when none is outside and most (`settled_share`) are settled (hysteresis: hovering at the band's
  edge is not a recovery), and for `rest` points after a recovery no new anomaly opens, so a
  metric that keeps dipping does not open and close issues in turn. bench/anomaly.py chose these
  numbers on the labelled NAB series.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

HOUR, DAY, WEEK = 3600, 86400, 7 * 86400


@dataclass(frozen=True)
class DetectorConfig:
    threshold: float = 4.0  # robust z beyond which a point is outside the pattern
    weeks: int = 6  # weekly slots looked back at
    min_weeks: int = 2  # weekly slots needed before the weekly pattern is used
    days: int = 14  # daily slots looked back at while the weekly history is short
    half_slot: int = HOUR // 2  # seconds either side of the same time of week or day
    min_samples: int = 4  # fewer past values: still learning, never outside
    relative_floor: float = 0.05  # the spread is at least this fraction of the expected value
    alpha: float = 1e-3  # binomial test for conversion rates
    k: int = 3  # k of the last n points outside opens an anomaly
    n: int = 6
    clear: int = 48  # the last this many points decide a recovery (a spiky metric must settle)
    settle: float = 0.5  # a point is settled within this share of the threshold (recovery hysteresis)
    settled_share: float = 0.8  # of the last `clear` points, at least this share settled, none outside
    rest: int = 144  # points after a recovery during which no new anomaly opens
    # `clear` and `rest` as durations, turned into points by the metric's own pace (`paced`):
    # 48 and 144 points of a 5-minute metric, 6 (n at least) and 12 of an hourly one.
    recovery_seconds: int | None = 4 * HOUR
    rest_seconds: int | None = 12 * HOUR
    direction: str = "drop"  # "drop" (business metrics) or "both"


@dataclass(frozen=True)
class Verdict:
    expected: float | None  # the baseline (median); None while learning
    low: float | None  # the band inside which a point is normal
    high: float | None
    score: float | None  # robust z-score
    is_outside: bool
    is_settled: bool = True  # well inside the band: counts towards a recovery


LEARNING = Verdict(None, None, None, None, False)


class History:
    """A metric's points as sorted arrays: times (epoch seconds) and values (rates for conversions)."""

    def __init__(self, times: Sequence[float], values: Sequence[float]):
        order = np.argsort(np.asarray(times, dtype=np.int64), kind="stable")
        self.times = np.asarray(times, dtype=np.int64)[order]
        self.values = np.asarray(values, dtype=float)[order]


def _is_weekend(t: int) -> bool:
    return (t // DAY + 3) % 7 >= 5  # 1970-01-01 was a Thursday; UTC days


def _slots(history: History, t: int, period: int, count: int, half: int) -> list[np.ndarray]:
    found = []
    for k in range(1, count + 1):
        centre = t - k * period
        if period == DAY and _is_weekend(centre) != _is_weekend(t):
            continue  # until the weekly pattern is known, a Saturday is only compared with weekends
        lo = np.searchsorted(history.times, centre - half, side="left")
        hi = np.searchsorted(history.times, centre + half, side="right")
        if hi > lo:
            found.append(history.values[lo:hi])
    return found


def baseline_sample(history: History, t: int, config: DetectorConfig) -> np.ndarray:
    weekly = _slots(history, t, WEEK, config.weeks, config.half_slot)
    if len(weekly) >= config.min_weeks and sum(len(s) for s in weekly) >= config.min_samples:
        return np.concatenate(weekly)
    daily = _slots(history, t, DAY, config.days, config.half_slot)
    return np.concatenate(daily) if daily else np.empty(0)


def judge(value: float, sample: np.ndarray, config: DetectorConfig, *,
          successes: int | None = None, attempts: int | None = None) -> Verdict:
    if sample.size < config.min_samples:
        return LEARNING
    expected = float(np.median(sample))
    spread = 1.4826 * float(np.median(np.abs(sample - expected)))
    # The 10-90% range, as a standard deviation: on a spiky series the MAD alone is far too small.
    p10, p90 = np.percentile(sample, (10, 90))
    scale = max(spread, float(p90 - p10) / 2.563, config.relative_floor * abs(expected), 1e-9)
    score = (value - expected) / scale
    low, high = expected - config.threshold * scale, expected + config.threshold * scale

    def beyond(threshold: float) -> bool:
        found = score <= -threshold or (config.direction == "both" and score >= threshold)
        if found and attempts is not None and successes is not None:
            found = _improbable(successes, attempts, min(max(expected, 0.0), 1.0), config)
        return bool(found)

    outside = beyond(config.threshold)
    settled = not outside and not beyond(config.settle * config.threshold)
    return Verdict(expected, low, high, score, outside, settled)


def _improbable(successes: int, attempts: int, rate: float, config: DetectorConfig) -> bool:
    """So few (or many) successes out of `attempts` are unlikely at the expected rate."""
    from scipy.special import bdtr, bdtrc  # binomial tails; imported here, as it takes a second or two

    if attempts <= 0:
        return False
    below = bdtr(successes, attempts, rate)  # P(X <= successes)
    if config.direction == "both":
        above = bdtrc(successes - 1, attempts, rate) if successes > 0 else 1.0  # P(X >= successes)
        return bool(min(below, above) < config.alpha / 2)
    return bool(below < config.alpha)


@dataclass
class PersistenceState:
    recent: list[bool] = field(default_factory=list)  # outside? newest last, at most max(n, clear)
    settled: list[bool] = field(default_factory=list)  # settled? (False before the anomaly opened)
    is_open: bool = False
    rest: int = 0  # points to go before a new anomaly may open


OPENED, RECOVERED = "opened", "recovered"


def step(state: PersistenceState, is_outside: bool, config: DetectorConfig,
         is_settled: bool | None = None) -> str | None:
    """Feed one judged point; returns OPENED or RECOVERED when the anomaly changes."""
    keep = max(config.n, config.clear)
    state.recent = [*state.recent, is_outside][-keep:]
    state.settled = [*state.settled, not is_outside if is_settled is None else is_settled][-keep:]
    if not state.is_open:
        state.rest = max(0, state.rest - 1)
        if not state.rest and sum(state.recent[-config.n:]) >= config.k:
            # Only points after this one count towards the recovery.
            state.is_open, state.settled = True, [False] * len(state.settled)
            return OPENED
    elif (len(state.settled) >= config.clear and not any(state.recent[-config.clear:])
          and sum(state.settled[-config.clear:]) >= config.settled_share * config.clear):
        state.is_open, state.rest = False, config.rest
        return RECOVERED
    return None


def paced(config: DetectorConfig, history: History) -> DetectorConfig:
    """`config` with `clear` and `rest` counted in this metric's points: its median spacing."""
    gaps = np.diff(history.times)
    gaps = gaps[gaps > 0]
    if config.recovery_seconds is None or not gaps.size:
        return config
    interval = float(np.median(gaps))
    return replace(config, clear=max(config.n, round(config.recovery_seconds / interval)),
                   rest=round((config.rest_seconds or 0) / interval))


def run(times: Sequence[float], values: Sequence[float], config: DetectorConfig,
        attempts: Sequence[int] | None = None, successes: Sequence[int] | None = None):
    """Judge a series given in time order, each point against earlier points only (its slots lie
    a day or a week back). Yields (index, verdict, transition); for the benchmark and tests."""
    history = History(times, values)
    config = paced(config, history)
    state = PersistenceState()
    for i in range(len(history.times)):
        t = int(history.times[i])
        kwargs = {}
        if attempts is not None and successes is not None:
            kwargs = {"attempts": int(attempts[i]), "successes": int(successes[i])}
        verdict = judge(float(history.values[i]), baseline_sample(history, t, config), config, **kwargs)
        yield i, verdict, step(state, verdict.is_outside, config, verdict.is_settled)
