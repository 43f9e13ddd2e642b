"""Synthetic business metrics with known answers: a daily and weekly pattern, noise, and a drop."""

import math
from datetime import UTC, datetime, timedelta

import numpy as np

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday


def hourly_orders(weeks: int, *, seed: int = 1, drop: tuple[int, int] | None = None, factor: float = 0.3,
                  start: datetime = START) -> tuple[list[datetime], list[float]]:
    """Orders per hour: busy afternoons, quiet nights, half as many at the weekend, Poisson noise;
    between hours drop[0] and drop[1] only `factor` of the usual orders arrive."""
    rng = np.random.default_rng(seed)
    times, values = [], []
    for h in range(weeks * 7 * 24):
        at = start + timedelta(hours=h)
        daily = 60 + 50 * math.sin((at.hour - 9) / 24 * 2 * math.pi)
        weekly = 0.5 if at.weekday() >= 5 else 1.0
        mean = daily * weekly * (factor if drop and drop[0] <= h < drop[1] else 1.0)
        times.append(at)
        values.append(float(rng.poisson(mean)))
    return times, values


def hourly_checkouts(weeks: int, *, attempts: int, rate: float = 0.1, seed: int = 2,
                     drop: tuple[int, int] | None = None, dropped_rate: float = 0.05):
    rng = np.random.default_rng(seed)
    rows = []
    for h in range(weeks * 7 * 24):
        p = dropped_rate if drop and drop[0] <= h < drop[1] else rate
        successes = int(rng.binomial(attempts, p))
        rows.append((START + timedelta(hours=h), successes, attempts))
    return rows
