"""/metrics: business metric definitions (admins), their recent series and anomalies (staff),
and the push endpoint, authenticated by the metric's own secret rather than a user token."""

import json
from datetime import datetime

from django.conf import settings
from ninja import Query, Router, Status
from ninja.errors import AuthenticationError
from pydantic import ValidationError

from tierline.errors import InvalidInput, PayloadTooLarge
from tierline.intake.secrets import is_authentic
from tierline.issues.models import Component
from tierline.schemas import ERRORS, referenced_row

from .actions import do_create_metric, do_record_points, do_rotate_metric_secret
from .models import Metric
from .queries import check_metric_permission, find_metric, get_metric, list_anomalies, list_metrics, recent_points
from .schemas import AnomalyOut, MetricIn, MetricOut, PointOut, PointsIn, PointsRecorded
from .secrets import metric_secret

router = Router(tags=["metrics"])


def metric_out(metric: Metric, *, with_secret: bool = False) -> dict:
    anomaly = metric.open_anomaly
    return {
        "id": metric.pk, "name": metric.name, "kind": metric.kind, "description": metric.description,
        "organization_id": metric.organization_id, "component_id": metric.component_id,
        "url": f"{settings.BASE_URL}/api/v1/metrics/{metric.name}/points",
        "open_anomaly_issue": anomaly.issue.key if anomaly is not None and anomaly.issue_id else None,
        "secret": metric_secret(metric) if with_secret else None,
    }


@router.get("/metrics", response={200: list[MetricOut], **ERRORS})
def get_metrics(request):
    return [metric_out(m) for m in list_metrics(request.auth)]


@router.post("/metrics", response={201: MetricOut, **ERRORS})
def create_metric(request, payload: MetricIn):
    """Define a metric (admins). The answer carries its push secret, shown this once."""
    from tierline.customers.models import Organization

    check_metric_permission(request.auth, "metric.manage")
    metric = do_create_metric(
        name=payload.name, kind=payload.kind, description=payload.description,
        organization=referenced_row(Organization, payload.organization_id, "organization_id"),
        component=referenced_row(Component, payload.component_id, "component_id"),
    )
    return Status(201, metric_out(metric, with_secret=True))


@router.get("/metrics/{name}", response={200: MetricOut, **ERRORS})
def get_one_metric(request, name: str):
    return metric_out(get_metric(request.auth, name))


@router.post("/metrics/{name}/rotate", response={200: MetricOut, **ERRORS})
def rotate_metric_secret(request, name: str):
    """A new push secret (admins); the old one stops working at once."""
    return metric_out(do_rotate_metric_secret(get_metric(request.auth, name, "metric.manage")), with_secret=True)


@router.get("/metrics/{name}/points", response={200: list[PointOut], **ERRORS})
def get_points(request, name: str, since: datetime | None = None, until: datetime | None = None,
               limit: int = Query(500, ge=1, le=5000)):
    """The newest points (at most `limit`), oldest first, each with the detector's band."""
    points = recent_points(get_metric(request.auth, name), since=since, until=until, limit=limit)
    return [{"at": p.at, "value": p.value, "successes": p.successes, "attempts": p.attempts, "expected": p.expected,
             "low": p.low, "high": p.high, "is_outside": p.is_outside} for p in points]


@router.get("/metrics/{name}/anomalies", response={200: list[AnomalyOut], **ERRORS})
def get_anomalies(request, name: str, limit: int = Query(50, ge=1, le=200)):
    metric = get_metric(request.auth, name)
    return [{"id": a.pk, "metric": metric.name, "issue": a.issue.key if a.issue_id else None,
             "started_at": a.started_at, "detected_at": a.detected_at, "recovered_at": a.recovered_at,
             "expected": a.expected, "observed": a.observed} for a in list_anomalies(metric, limit=limit)]


def _validation_fields(error: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for item in error.errors():
        # points.<index>.<field>; deeper parts only name a branch of a union (int or float)
        fields.setdefault(".".join(str(p) for p in item["loc"][:3]) or "body", item["msg"])
    return fields


@router.post("/metrics/{name}/points", response={200: PointsRecorded, **ERRORS}, auth=None)
def push_points(request, name: str):
    """Push a batch of points: `{"points": [{"at": "2026-01-05T10:00:00Z", "value": 42}]}` for a
    count, `{"at": ..., "successes": 31, "attempts": 400}` for a conversion rate. Authenticate with
    the metric's secret as `Authorization: Bearer <secret>`, or an HMAC-SHA256 of the raw body under
    it as `X-Tierline-Signature: sha256=<hex>`. At most TIERLINE_METRIC_MAX_POINTS points; a batch
    with any bad point is refused whole (422 naming each, e.g. `points.3`); sending a point again
    with the same timestamp changes nothing."""
    metric = find_metric(name)
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > settings.METRIC_MAX_BYTES:
        raise PayloadTooLarge(f"Metric pushes are limited to {settings.METRIC_MAX_BYTES} bytes")
    body = request.body
    secret = metric_secret(metric) if metric else "-"
    authentic = is_authentic(secret, body, request.headers.get("Authorization", ""),
                             request.headers.get("X-Tierline-Signature", ""))
    if metric is None or not authentic:
        raise AuthenticationError()
    if len(body) > settings.METRIC_MAX_BYTES:
        raise PayloadTooLarge(f"Metric pushes are limited to {settings.METRIC_MAX_BYTES} bytes")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput("The body is not JSON", {"body": "not JSON"}) from None
    if isinstance(data, dict) and isinstance(data.get("points"), list) and (
            len(data["points"]) > settings.METRIC_MAX_POINTS):
        raise PayloadTooLarge(f"At most {settings.METRIC_MAX_POINTS} points per request",
                              {"points": f"{len(data['points'])} points"})
    try:
        batch = PointsIn.model_validate(data)
    except ValidationError as error:
        fields = _validation_fields(error)
        raise InvalidInput(f"{len(fields)} problem(s) in the points; nothing was stored", fields) from None
    return do_record_points(metric, [p.model_dump() for p in batch.points])
