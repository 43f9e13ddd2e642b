"""Background work for business metrics. Thin: load by id, call an action."""

from huey.contrib.djhuey import db_task

from .actions import do_detect_metric_anomalies
from .models import Metric


@db_task(retries=2, retry_delay=10)
def detect_metric_anomalies(metric_id: int) -> None:
    metric = Metric.objects.filter(pk=metric_id).first()
    if metric is not None:
        do_detect_metric_anomalies(metric)
