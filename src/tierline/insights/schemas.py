"""API answers of the analytics: a table with its columns and rows, and the list of tables."""

from typing import Any

from ninja import Schema


class ColumnOut(Schema):
    key: str
    heading: str


class InsightSummaryOut(Schema):
    name: str
    title: str
    url: str


class InsightOut(Schema):
    name: str
    title: str
    filters: dict[str, str]  # the filters applied, the default period included
    columns: list[ColumnOut]
    rows: list[dict[str, Any]]  # durations in wall-clock minutes, rates as shares (0.25 = 25 %)
