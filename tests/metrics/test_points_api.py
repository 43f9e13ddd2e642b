"""Pushing points: the metric's own secret first, a batch stored whole or not at all (each bad
point named), idempotent on the timestamp, size limits; reading metrics, series and anomalies."""

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings

from tests.factories import make_component, make_customer, make_org, make_staff
from tests.metrics.helpers import make_metric, push
from tierline.metrics.actions import do_rotate_metric_secret
from tierline.metrics.models import MetricPoint
from tierline.metrics.secrets import metric_secret

pytestmark = pytest.mark.django_db
AT = datetime(2026, 1, 5, 10, tzinfo=UTC)


def _points(n: int, start=AT, value=100):
    return [{"at": (start + timedelta(hours=i)).isoformat(), "value": value} for i in range(n)]


def test_points_are_stored_once_per_timestamp(django_capture_on_commit_callbacks):
    metric = make_metric()
    with django_capture_on_commit_callbacks(execute=True):
        first = push(metric, _points(3))
    assert first.status_code == 200 and first.json() == {"created": 3, "updated": 0, "unchanged": 0}
    again = push(metric, _points(3))
    assert again.json() == {"created": 0, "updated": 0, "unchanged": 3}
    corrected = push(metric, [{"at": AT.isoformat(), "value": 90}])
    assert corrected.json() == {"created": 0, "updated": 1, "unchanged": 0}
    assert MetricPoint.objects.filter(metric=metric).count() == 3
    assert MetricPoint.objects.get(metric=metric, at=AT).value == 90


def test_a_signed_body_is_accepted():
    metric = make_metric()
    raw = json.dumps({"points": _points(1)}).encode()
    digest = hmac.new(metric_secret(metric).encode(), raw, hashlib.sha256).hexdigest()
    response = push(metric, None, raw=raw, secret="-", headers={"Authorization": "",
                                                                "X-Tierline-Signature": f"sha256={digest}"})
    assert response.status_code == 200


@pytest.mark.parametrize("secret", ["wrong", "tla_" + "0" * 64, ""])
def test_a_wrong_secret_stores_nothing(secret):
    metric = make_metric()
    response = push(metric, _points(1), secret=secret or " ")
    assert response.status_code == 401
    assert not MetricPoint.objects.exists()


def test_another_metrics_secret_or_a_user_token_is_refused():
    metric, other = make_metric(), make_metric()
    assert push(metric, _points(1), secret=metric_secret(other)).status_code == 401
    from tests.factories import make_token

    assert push(metric, _points(1), secret=make_token(make_staff("admin"))).status_code == 401


def test_a_rotated_secret_stops_the_old_one():
    metric = make_metric()
    old = metric_secret(metric)
    do_rotate_metric_secret(metric)
    assert push(metric, _points(1), secret=old).status_code == 401
    assert push(metric, _points(1)).status_code == 200


def test_an_unknown_metric_answers_401_not_404():
    from tierline.metrics.models import Metric

    ghost = Metric(name="ghost", secret_salt="x")
    assert push(ghost, _points(1), secret="anything").status_code == 401


def test_every_bad_point_is_named_and_nothing_is_stored():
    metric = make_metric()
    points = [
        {"at": AT.isoformat(), "value": 1},
        {"at": "2026-01-05T11:00:00", "value": 2},  # no time zone
        {"at": (AT + timedelta(hours=2)).isoformat(), "value": -5},
        {"at": (AT + timedelta(hours=3)).isoformat(), "successes": 1, "attempts": 2},  # not a conversion
        {"at": AT.isoformat(), "value": 3},  # repeats points.0
        {"at": (AT + timedelta(days=900)).isoformat(), "value": 4},
        {"at": (AT + timedelta(hours=5)).isoformat(), "value": "7"},
    ]
    response = push(metric, points)
    assert response.status_code == 422
    fields = response.json()["fields"]
    assert set(fields) == {"points.1.at", "points.6.value"}  # the schema's checks come first
    points[1] = {"at": (AT + timedelta(hours=1)).isoformat(), "value": 2}
    response = push(metric, points[:6])
    fields = response.json()["fields"]
    assert set(fields) == {"points.2", "points.3", "points.4", "points.5"}
    assert "repeats" in fields["points.4"] and "nothing was stored" in response.json()["detail"]
    assert not MetricPoint.objects.exists()


def test_conversion_points_need_successes_out_of_attempts():
    metric = make_metric(kind="conversion")
    good = push(metric, [{"at": AT.isoformat(), "successes": 30, "attempts": 400}])
    assert good.status_code == 200 and MetricPoint.objects.get().value == pytest.approx(0.075)
    bad = push(metric, [{"at": AT.isoformat(), "successes": 5, "attempts": 4}, {"at": AT.isoformat(), "value": 1}])
    assert set(bad.json()["fields"]) == {"points.0", "points.1"}


@pytest.mark.parametrize("raw", [b"not json", b"[]", b'{"points": 3}', b'{"points": [{"at": 1e400}]}',
                                 b'{"points": [{"at": "2026-01-05T10:00:00Z", "value": NaN}]}', b"\xff\xfe"])
def test_malformed_bodies_are_a_422(raw):
    response = push(make_metric(), None, raw=raw)
    assert response.status_code == 422, response.content


def test_size_limits():
    metric = make_metric()
    with override_settings(METRIC_MAX_POINTS=5):
        assert push(metric, _points(6)).status_code == 413
    with override_settings(METRIC_MAX_BYTES=100):
        assert push(metric, _points(5)).status_code == 413
    assert not MetricPoint.objects.exists()


def test_admins_define_metrics_and_see_the_secret_once(api_as):
    org, component = make_org(), make_component()
    admin = api_as(make_staff("admin"))
    response = admin.post("/metrics", {"name": "checkout-conversion", "kind": "conversion",
                                       "organization_id": org.pk, "component_id": component.pk})
    assert response.status_code == 201
    created = response.json()
    assert created["secret"].startswith("tla_") and created["url"].endswith("/metrics/checkout-conversion/points")
    assert admin.get("/metrics/checkout-conversion").json()["secret"] is None
    assert admin.post("/metrics", {"name": "checkout-conversion"}).status_code == 422
    assert admin.post("/metrics", {"name": "Not A Slug"}).status_code == 422
    assert admin.post("/metrics", {"name": "x", "kind": "gauge"}).status_code == 422
    assert admin.post("/metrics", {"name": "y", "organization_id": 999999}).json()["fields"] == {
        "organization_id": "does not exist"}
    assert api_as(make_staff("support_t1")).post("/metrics", {"name": "z"}).status_code == 403


def test_staff_read_metrics_series_and_anomalies(api_as):
    metric = make_metric()
    push(metric, _points(3))
    agent = api_as(make_staff("support_t1"))
    assert [m["name"] for m in agent.get("/metrics").json()] == [metric.name]
    series = agent.get(f"/metrics/{metric.name}/points", limit=2).json()
    assert [p["at"] for p in series] == [(AT + timedelta(hours=h)).isoformat().replace("+00:00", "Z")
                                         for h in (1, 2)] or len(series) == 2
    assert agent.get(f"/metrics/{metric.name}/anomalies").json() == []
    assert agent.get("/metrics/no-such-metric").status_code == 404
    assert api_as(make_customer(make_org())).get("/metrics").status_code == 403
