"""Business metrics: a metric's definition, its time-stamped points (each judged once by the
detector, see detector.py), and its anomalies, each tied to the one proactive issue it opened."""

from django.db import models
from django.utils import timezone


class MetricKind(models.TextChoices):
    COUNT = "count", "Count (orders, sign-ups, ...)"
    CONVERSION = "conversion", "Conversion rate (successes out of attempts)"


class Metric(models.Model):
    """One business metric. Its push secret is derived from the server's secret key and
    `secret_salt` (tierline.intake.secrets), never stored. The detector's k-of-n memory lives
    here, so each new point is judged without re-reading the series."""

    name = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=MetricKind.choices, default=MetricKind.COUNT)
    description = models.CharField(max_length=300, blank=True)
    organization = models.ForeignKey(
        "customers.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    component = models.ForeignKey(
        "issues.Component", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    secret_salt = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    # Newest last: [at, outside?, settled?] of each recent point (see detector.PersistenceState).
    recent_flags = models.JSONField(default=list, blank=True)
    rest_points = models.PositiveIntegerField(default=0)  # points to go before a new anomaly may open
    open_anomaly = models.ForeignKey(
        "MetricAnomaly", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MetricPoint(models.Model):
    """One time-stamped value (a count, or successes out of attempts) and the detector's verdict
    on it; `is_outside` is null until the worker has judged the point."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="points")
    at = models.DateTimeField()
    value = models.FloatField()  # the count, or successes / attempts
    successes = models.BigIntegerField(null=True, blank=True)
    attempts = models.BigIntegerField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    expected = models.FloatField(null=True, blank=True)
    low = models.FloatField(null=True, blank=True)
    high = models.FloatField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    is_outside = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["at"]
        constraints = [models.UniqueConstraint(fields=["metric", "at"], name="metricpoint_unique_at")]
        indexes = [models.Index(fields=["metric", "is_outside", "at"], name="metricpoint_pending_idx")]


class MetricAnomaly(models.Model):
    """A drop well outside the metric's pattern, from its first point outside to its recovery."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="anomalies")
    issue = models.ForeignKey("issues.Issue", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="metric_anomalies")
    started_at = models.DateTimeField()  # the first point outside of the k that opened it
    detected_at = models.DateTimeField()  # the point that opened it
    recovered_at = models.DateTimeField(null=True, blank=True)
    expected = models.FloatField(null=True, blank=True)  # at detection
    observed = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-detected_at", "-id"]
        indexes = [models.Index(fields=["metric", "detected_at"], name="metricanomaly_metric_idx")]

    @property
    def is_open(self) -> bool:
        return self.recovered_at is None
