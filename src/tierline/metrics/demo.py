"""Demo business metrics: four weeks of hourly history with a daily and weekly pattern, pushed
through the actions, and one anomaly (Acme's orders dropping for the last hours) whose proactive
issue stays open. Called at the end of `tierline demo`'s seed."""

import math
import random
from datetime import datetime, timedelta

from .actions import do_create_metric, do_detect_metric_anomalies, do_record_points
from .models import MetricKind

WEEKS = 4
DROP_HOURS = 6


def _orders(at: datetime, rng: random.Random) -> float:
    daily = 240 + 160 * math.sin((at.hour - 9) / 24 * 2 * math.pi)  # busy afternoons, quiet nights
    weekly = 0.6 if at.weekday() >= 5 else 1.0
    return max(0.0, round(daily * weekly * rng.gauss(1.0, 0.04)))


def seed_metrics(*, rng: random.Random, now: datetime, organization=None, component=None) -> None:
    last = now.replace(minute=0, second=0, microsecond=0)
    hours = [last - timedelta(hours=h) for h in range(WEEKS * 7 * 24, -1, -1)]
    orders = do_create_metric(name="acme-orders", description="Orders placed per hour by Acme's shops",
                              organization=organization, component=component)
    points = []
    for at in hours:
        value = _orders(at, rng)
        if at > last - timedelta(hours=DROP_HOURS):
            value = round(value * 0.25)  # the checkout integration broke
        points.append({"at": at, "value": value, "successes": None, "attempts": None})
    do_record_points(orders, points)

    conversion = do_create_metric(name="checkout-conversion", kind=MetricKind.CONVERSION,
                                  description="Checkouts completed out of checkouts started", component=component)
    points = []
    for at in hours:
        attempts = max(1, int(_orders(at, rng) * 4))
        successes = round(attempts * 0.27 + rng.gauss(0, math.sqrt(attempts * 0.27 * 0.73)))
        points.append({"at": at, "value": None, "attempts": attempts, "successes": min(max(successes, 0), attempts)})
    do_record_points(conversion, points)
    # Judged now rather than by the worker, so the demo shows the open anomaly at once.
    do_detect_metric_anomalies(orders)
    do_detect_metric_anomalies(conversion)
