"""`{% metric_anomaly_panel issue %}` on the desk issue page: for an issue a metric's anomaly
opened, the chart of the window with its numbers as a table. An inclusion tag, so the issues
app's view does not need to know about metrics."""

from django import template

from tierline.accounts.permissions import has_perm
from tierline.charts.panels import HEIGHT, WIDTH, draw

from ..anomalies import describe_value
from ..queries import anomalies_of_issue, anomaly_window

register = template.Library()


@register.inclusion_tag("metrics/_chart.html", takes_context=True)
def metric_anomaly_panel(context, issue):
    if issue.channel != "metric" or not has_perm(context["request"].user, "metric.view"):
        return {"anomaly": None}
    anomalies = anomalies_of_issue(issue)
    if not anomalies:
        return {"anomaly": None}
    anomaly = anomalies[-1]
    points = anomaly_window(anomaly)
    metric = anomaly.metric
    rows = [{"at": p.at, "value": describe_value(metric, p.value), "expected": describe_value(metric, p.expected),
             "low": describe_value(metric, p.low), "attempts": p.attempts, "is_outside": p.is_outside}
            for p in points]
    return {"anomaly": anomaly, "metric": metric, "chart": draw(points), "rows": rows, "width": WIDTH,
            "height": HEIGHT, "first": points[0] if points else None, "last": points[-1] if points else None,
            "observed": describe_value(metric, anomaly.observed), "expected": describe_value(metric, anomaly.expected)}
