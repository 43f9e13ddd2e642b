"""Percentiles of durations, per group: in the database on PostgreSQL (`percentile_cont`), in Python
elsewhere, with the same definition (linear interpolation between the closest ranks), so the two
agree to the rounding (tests/insights/test_stats.py)."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Aggregate, Count, FloatField, QuerySet

QUANTILES = (0.5, 0.9)


def percentile(ordered: Sequence[float], q: float) -> float | None:
    """PostgreSQL's percentile_cont over values sorted ascending."""
    if not ordered:
        return None
    position = q * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Summary:
    count: int
    median: float | None
    p90: float | None


class PercentileCont(Aggregate):
    function = "percentile_cont"
    template = "%(function)s(%(quantile)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, quantile: float, **extra):
        super().__init__(expression, quantile=float(quantile), **extra)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def summarise(facts: QuerySet, group: str, value: str) -> dict:
    """{group value: Summary of `value`} over the facts where `value` is known."""
    facts = facts.filter(**{f"{value}__isnull": False}).order_by()
    if connection.vendor == "postgresql":
        rows = facts.values(group).annotate(n=Count("pk"), median=PercentileCont(value, 0.5),
                                            p90=PercentileCont(value, 0.9))
        return {r[group]: Summary(r["n"], _rounded(r["median"]), _rounded(r["p90"])) for r in rows}
    grouped: dict = {}
    for key, number in facts.values_list(group, value).order_by(group, value):
        grouped.setdefault(key, []).append(number)
    return {key: Summary(len(numbers), _rounded(percentile(numbers, 0.5)), _rounded(percentile(numbers, 0.9)))
            for key, numbers in grouped.items()}
