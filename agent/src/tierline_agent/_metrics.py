"""Metric probes aggregate in the agent; the background thread flushes the aggregates.

One `Aggregate` per metric probe, updated on the application thread without a lock (a lost
update under a race is acceptable for a metric); `MetricStore.flush()` swaps the whole table for
a new one and returns wire-ready points (README.md, "metric" hits).
"""
from __future__ import annotations

import math
import time

# Histogram bucket upper bounds (also used for durations in milliseconds).
BUCKETS = (0.1, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, math.inf)


class Aggregate:
    __slots__ = ("count", "total", "minimum", "maximum", "last", "buckets")

    def __init__(self):
        self.count = 0
        self.total = 0.0
        self.minimum = math.inf
        self.maximum = -math.inf
        self.last = None
        self.buckets = None

    def observe(self, value: float, histogram: bool) -> None:
        self.count += 1
        self.total += value
        if value < self.minimum:
            self.minimum = value
        if value > self.maximum:
            self.maximum = value
        self.last = value
        if histogram:
            if self.buckets is None:
                self.buckets = [0] * len(BUCKETS)
            for index, bound in enumerate(BUCKETS):
                if value <= bound:
                    self.buckets[index] += 1
                    break


class MetricStore:
    def __init__(self):
        self.table: dict[str, tuple[str, str, Aggregate]] = {}
        self._started = time.time()

    def count(self, probe_id: str, name: str) -> None:
        entry = self.table.get(probe_id)
        if entry is None:
            entry = self.table[probe_id] = (name, "count", Aggregate())
        entry[2].count += 1

    def observe(self, probe_id: str, name: str, metric_type: str, value: float) -> None:
        entry = self.table.get(probe_id)
        if entry is None:
            entry = self.table[probe_id] = (name, metric_type, Aggregate())
        entry[2].observe(value, metric_type in ("histogram", "duration"))

    def flush(self) -> list[dict]:
        table, self.table = self.table, {}
        start, self._started = self._started, time.time()
        points = []
        for probe_id, (name, metric_type, agg) in table.items():
            point = {"kind": "metric", "probe_id": probe_id, "name": name, "metric_type": metric_type,
                     "start": start, "end": self._started, "count": agg.count}
            if metric_type == "gauge":
                point["value"] = agg.last
            elif metric_type == "count":
                if agg.last is not None:  # a count of a value expression also sums it
                    point["sum"] = agg.total
            elif agg.count:
                point.update(sum=agg.total, min=agg.minimum, max=agg.maximum,
                             buckets=[[b if b != math.inf else "inf", n]
                                      for b, n in zip(BUCKETS, agg.buckets or [0] * len(BUCKETS), strict=True) if n])
            points.append(point)
        return points
