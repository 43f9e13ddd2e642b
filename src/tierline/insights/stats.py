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


class Percentiles(Aggregate):
    """PostgreSQL: the median and 90th percentile of one column in one sort (NULLs are left out)."""

    function = "percentile_cont"
    template = "%(function)s(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, **extra):
        from django.contrib.postgres.fields import ArrayField

        super().__init__(expression, output_field=ArrayField(FloatField()), **extra)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _summary(count: int, median: float | None, p90: float | None) -> Summary:
    return Summary(count, _rounded(median), _rounded(p90))


def summarise(facts: QuerySet, group: str, values: Sequence[str]) -> dict:
    """{group value: (issues, {value: Summary})}: how many facts in each group and, for each of the
    `values` columns, the count, median and p90 of the facts where it is known. One query."""
    facts = facts.order_by()
    if connection.vendor == "postgresql":
        aggregates = {"issues": Count("pk")}
        for value in values:
            aggregates[f"{value}__n"] = Count(value)
            aggregates[f"{value}__q"] = Percentiles(value)
        result = {}
        for row in facts.values(group).annotate(**aggregates):
            result[row[group]] = (row["issues"], {
                v: _summary(row[f"{v}__n"], *(row[f"{v}__q"] or (None, None))) for v in values})
        return result
    grouped: dict = {}
    counts: dict = {}
    for key, *numbers in facts.values_list(group, *values).iterator(chunk_size=10_000):
        counts[key] = counts.get(key, 0) + 1
        columns = grouped.setdefault(key, [[] for _ in values])
        for column, number in zip(columns, numbers, strict=True):
            if number is not None:
                column.append(number)
    result = {}
    for key, columns in grouped.items():
        summaries = {}
        for value, column in zip(values, columns, strict=True):
            column.sort()
            summaries[value] = _summary(len(column), percentile(column, 0.5), percentile(column, 0.9))
        result[key] = (counts[key], summaries)
    return result
