"""Metrics for the tests and the role table, and pushing points as a sender would."""

import itertools
import json
from datetime import UTC, datetime, timedelta

from django.test import Client

from tests.openapi import assert_matches_openapi
from tierline.metrics.actions import do_create_metric
from tierline.metrics.secrets import metric_secret

_seq = itertools.count(1)


def make_metric(name: str | None = None, **fields):
    return do_create_metric(name=name or f"orders-{next(_seq)}", **fields)


def make_metric_ids() -> dict:
    """A metric, as the URL part of the role table's paths."""
    return {"name": make_metric().name}


def history_start(weeks: int) -> datetime:
    """Midnight (UTC) of the Monday `weeks` weeks before this week's, so hours fall on known times."""
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=today.weekday(), weeks=weeks)


def push(metric, points, *, secret: str | None = None, headers=None, raw: bytes | None = None):
    body = raw if raw is not None else json.dumps({"points": points}).encode()
    auth = {"Authorization": f"Bearer {secret or metric_secret(metric)}"}
    response = Client().post(f"/api/v1/metrics/{metric.name}/points", data=body, content_type="application/json",
                             headers={**auth, **(headers or {})})
    assert_matches_openapi(response)
    return response


def count_points(times, values) -> list[dict]:
    return [{"at": t.isoformat(), "value": v} for t, v in zip(times, values, strict=True)]
