"""Reads for business metrics, for staff: metrics, their recent series and their anomalies, and
the window of a metric around an anomaly for the chart on its issue page."""

from datetime import datetime, timedelta

from tierline.accounts.permissions import has_perm
from tierline.errors import NotFound, PermissionDenied

from .models import Metric, MetricAnomaly, MetricPoint


def check_metric_permission(user, permission: str = "metric.view") -> None:
    if not has_perm(user, permission):
        raise PermissionDenied("Only staff can see business metrics" if permission == "metric.view"
                               else "Only admins can define business metrics")


def list_metrics(user) -> list[Metric]:
    check_metric_permission(user)
    return list(Metric.objects.select_related("organization", "component", "open_anomaly__issue"))


def get_metric(user, name: str, permission: str = "metric.view") -> Metric:
    check_metric_permission(user, permission)
    metric = (Metric.objects.select_related("organization", "component", "open_anomaly__issue")
              .filter(name=name[:100]).first())
    if metric is None:
        raise NotFound("Metric not found")
    return metric


def find_metric(name: str) -> Metric | None:
    """The metric a push names, before its sender is known (its secret is checked next)."""
    return Metric.objects.filter(name=name[:100]).first()


def recent_points(metric: Metric, *, since: datetime | None = None, until: datetime | None = None,
                  limit: int = 500) -> list[MetricPoint]:
    """The newest `limit` points in [since, until], oldest first."""
    rows = MetricPoint.objects.filter(metric=metric)
    if since is not None:
        rows = rows.filter(at__gte=since)
    if until is not None:
        rows = rows.filter(at__lte=until)
    return list(reversed(rows.order_by("-at")[:limit]))


def list_anomalies(metric: Metric, *, limit: int = 50) -> list[MetricAnomaly]:
    return list(metric.anomalies.select_related("issue")[:limit])


def anomaly_window(anomaly: MetricAnomaly, *, before=timedelta(days=2), after=timedelta(days=1),
                   limit: int = 400) -> list[MetricPoint]:
    """The points around an anomaly: two days before it started, until a day after it recovered."""
    end = (anomaly.recovered_at or anomaly.detected_at) + after
    return recent_points(anomaly.metric, since=anomaly.started_at - before, until=end, limit=limit)


def anomalies_of_issue(issue) -> list[MetricAnomaly]:
    return list(MetricAnomaly.objects.filter(issue=issue).select_related("metric").order_by("detected_at"))
