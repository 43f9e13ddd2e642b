"""Opening and resolving the one proactive issue of a metric's anomaly, through the issue
actions, with `metric_anomaly` and `metric_recovered` on its timeline. Called by
`actions.do_detect_metric_anomalies` inside its transaction."""

from datetime import datetime

from django.utils import timezone

from tierline.issues.actions import do_create_issue, do_update_issue
from tierline.issues.models import Channel, EventKind, IssueEvent, Severity, Status

from .models import Metric, MetricAnomaly, MetricKind, MetricPoint


def describe_value(metric: Metric, value: float | None) -> str:
    if value is None:
        return "—"
    value = max(value, 0.0)  # a band reaching below zero still means "down to nothing"
    if metric.kind == MetricKind.CONVERSION:
        return f"{value:.1%}"
    return f"{value:,.0f}" if value >= 100 or value == round(value) else f"{value:,.1f}"


def _facts(metric: Metric, point: MetricPoint) -> dict:
    facts = {"metric": metric.name, "at": point.at.isoformat(), "value": point.value, "expected": point.expected,
             "low": point.low, "high": point.high}
    if point.attempts is not None:
        facts.update(successes=point.successes, attempts=point.attempts)
    return facts


def open_anomaly(metric: Metric, point: MetricPoint, *, started_at: datetime) -> MetricAnomaly:
    now = timezone.now()
    what = "conversion rate" if metric.kind == MetricKind.CONVERSION else "volume"
    title = f"Metric {metric.name}: {what} dropped well below its usual level"
    description = (
        f"{metric.description or metric.name} was {describe_value(metric, point.value)} at "
        f"{point.at:%Y-%m-%d %H:%M} UTC; this time of the week it is usually about "
        f"{describe_value(metric, point.expected)} (normal down to {describe_value(metric, point.low)}). "
        f"Outside its pattern since {started_at:%Y-%m-%d %H:%M} UTC.\n\n"
        "Opened by the anomaly detector; it resolves this issue when the metric recovers."
    )
    issue = do_create_issue(actor=None, title=title, description=description, channel=Channel.METRIC,
                            severity=Severity.S2, organization=metric.organization, component=metric.component,
                            at=now)
    anomaly = MetricAnomaly.objects.create(metric=metric, issue=issue, started_at=started_at, detected_at=point.at,
                                           expected=point.expected, observed=point.value)
    IssueEvent.objects.create(issue=issue, kind=EventKind.METRIC_ANOMALY, created_at=now,
                              data={**_facts(metric, point), "started_at": started_at.isoformat()})
    metric.open_anomaly = anomaly
    return anomaly


def close_anomaly(metric: Metric, point: MetricPoint) -> None:
    anomaly = metric.open_anomaly
    metric.open_anomaly = None
    if anomaly is None:
        return
    now = timezone.now()
    anomaly.recovered_at = point.at
    anomaly.save(update_fields=["recovered_at"])
    issue = anomaly.issue
    if issue is None:
        return
    IssueEvent.objects.create(issue=issue, kind=EventKind.METRIC_RECOVERED, created_at=now,
                              data=_facts(metric, point))
    if not issue.is_done:
        do_update_issue(issue, actor=None, status=Status.RESOLVED, at=now)
