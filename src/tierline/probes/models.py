"""Agents of customers' services, the probes engineers set on them from an issue, and their hits.

- `AgentToken`: the bearer secret a service's agents send (one service per token; SHA-256 only).
- `AgentInstance`: one running process with the agent, as it registered (and which customer's,
  when a tag names an organization).
- `ProbeSet`: a change counter per service; its `version` is the version of the probe set every
  instance of the service polls, bumped in the same transaction as any probe write.
- `Probe`: what an engineer asked for, on an issue, scoped to the issue's organization unless
  explicitly `all_customers`; `ProbeStatus`: what each instance made of it.
- `ProbeHit`: one log line, snapshot, metric point or log record an agent sent.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AgentToken(models.Model):
    """The secret a service's agents authenticate with. Only a SHA-256 hash is stored."""

    service = models.CharField(max_length=100, db_index=True)
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=16)  # the first characters, to recognise it in lists
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["service", "-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.service})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class AgentInstance(models.Model):
    """One process running the agent, as it described itself at registration."""

    instance_id = models.CharField(max_length=64, unique=True)
    service = models.CharField(max_length=100)
    token = models.ForeignKey(AgentToken, on_delete=models.CASCADE, related_name="instances")
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    python = models.CharField(max_length=40, blank=True)
    implementation = models.CharField(max_length=40, blank=True)
    os = models.CharField(max_length=200, blank=True)
    agent_version = models.CharField(max_length=40, blank=True)
    tags = models.JSONField(default=dict, blank=True)
    packages = models.JSONField(default=dict, blank=True)
    # The customer whose installation this is, when a `customer`/`organization` tag names one.
    organization = models.ForeignKey("customers.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["service", "host", "pid"]
        indexes = [models.Index(fields=["service", "last_seen_at"], name="agent_instance_service_idx")]

    def __str__(self) -> str:
        return f"{self.service} {self.host}:{self.pid}"


class ProbeSet(models.Model):
    """The version of a service's probe set: bumped with every probe write of the service, so an
    agent's long poll compares one integer."""

    service = models.CharField(max_length=100, unique=True)
    version = models.PositiveBigIntegerField(default=0)


class Kind(models.TextChoices):
    LOG = "log", "Log line"
    SNAPSHOT = "snapshot", "Snapshot"
    METRIC = "metric", "Metric"
    LOG_LEVEL = "log_level", "Log level"


class MetricType(models.TextChoices):
    COUNT = "count", "Count"
    GAUGE = "gauge", "Gauge"
    HISTOGRAM = "histogram", "Histogram"
    DURATION = "duration", "Duration"


class Probe(models.Model):
    """A log line, snapshot, metric or log level an engineer set on a service for an issue."""

    issue = models.ForeignKey("issues.Issue", on_delete=models.CASCADE, related_name="probes")
    service = models.CharField(max_length=100, db_index=True)
    instance_ids = models.JSONField(default=list, blank=True)  # empty: every instance of the service
    tags = models.JSONField(default=dict, blank=True)  # only instances with all these tags
    kind = models.CharField(max_length=16, choices=Kind.choices)
    location = models.CharField(max_length=500, blank=True)
    condition = models.TextField(blank=True)  # the engineer's; the scope is added on the wire
    template = models.TextField(blank=True)
    metric_type = models.CharField(max_length=16, choices=MetricType.choices, blank=True)
    value = models.TextField(blank=True)
    metric_name = models.CharField(max_length=200, blank=True)
    logger = models.CharField(max_length=200, blank=True)
    capture = models.JSONField(default=dict, blank=True)
    rate = models.FloatField(null=True, blank=True)  # None: the agent's default for the kind
    max_hits = models.PositiveIntegerField(null=True, blank=True)
    expires_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)
    # Scope: the customer whose requests it fires for (ctx.organization), or every customer.
    organization = models.ForeignKey("customers.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    all_customers = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    hit_count = models.PositiveBigIntegerField(default=0)
    first_hit_at = models.DateTimeField(null=True, blank=True)  # its one `probe_hit` timeline event
    # Set when the stored hits reached max_hits: no longer delivered.
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["service", "removed_at"], name="probe_service_idx"),
                   models.Index(fields=["issue", "created_at"], name="probe_issue_idx")]

    def __str__(self) -> str:
        return self.public_id

    @property
    def public_id(self) -> str:
        return probe_public_id(self.pk)

    @property
    def is_active(self) -> bool:
        return self.removed_at is None and self.completed_at is None and self.expires_at > timezone.now()


def probe_public_id(pk: int) -> str:
    return f"p-{pk}"


def parse_probe_id(text: str) -> int | None:
    """`p-7` or `7` -> 7; anything else -> None."""
    number = str(text).strip().removeprefix("p-")
    return int(number) if number.isascii() and number.isdigit() and len(number) < 19 else None


class StatusKind(models.TextChoices):
    INSTALLED = "installed", "Installed"
    WAITING = "waiting", "Waiting for its module"
    ERROR = "error", "Error"
    EXPIRED = "expired", "Expired"
    DONE = "done", "Done (hit limit)"


class ProbeStatus(models.Model):
    """What one instance reported about one probe."""

    probe = models.ForeignKey(Probe, on_delete=models.CASCADE, related_name="statuses")
    instance = models.ForeignKey(AgentInstance, on_delete=models.CASCADE, related_name="statuses")
    version = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=StatusKind.choices)
    message = models.TextField(blank=True)
    hits = models.PositiveBigIntegerField(default=0)
    rate_limited = models.PositiveBigIntegerField(default=0)
    is_throttled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["probe", "instance"], name="probe_status_unique")]


class ProbeHit(models.Model):
    """One hit as the agent sent it (already redacted by the agent): `payload` is the message, the
    snapshot, the metric point or the log record, by kind."""

    probe = models.ForeignKey(Probe, on_delete=models.CASCADE, related_name="hits")
    issue = models.ForeignKey("issues.Issue", on_delete=models.CASCADE, related_name="+")
    instance = models.ForeignKey(AgentInstance, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=16)  # log, snapshot, metric, log_record
    captured_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    thread = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=500, blank=True)
    context = models.JSONField(default=dict, blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["issue", "id"], name="probe_hit_issue_idx"),
                   models.Index(fields=["probe", "id"], name="probe_hit_probe_idx"),
                   models.Index(fields=["received_at"], name="probe_hit_received_idx")]
