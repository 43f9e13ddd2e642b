"""What arrives from outside before it becomes issue work: raw inbound messages (mail and alert
payloads, kept verbatim first), mail threading ids, alert integrations and alert groups."""

from django.db import models
from django.utils import timezone


class InboundKind(models.TextChoices):
    EMAIL = "email", "Email"
    ALERT = "alert", "Alert payload"


class InboundStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the worker"
    PROCESSED = "processed", "Turned into issue work"
    IGNORED = "ignored", "Noise (auto-reply, receipt, duplicate)"
    QUARANTINED = "quarantined", "Quarantined"


class InboundMessage(models.Model):
    """One message exactly as it arrived. Stored before anything is parsed, so nothing is lost:
    a message that cannot become issue work is quarantined with its reason, never dropped."""

    kind = models.CharField(max_length=16, choices=InboundKind.choices)
    source = models.CharField(max_length=100)  # "smtp", "imap:INBOX", an integration slug
    raw = models.BinaryField()
    sha256 = models.CharField(max_length=64, db_index=True)
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=InboundStatus.choices, default=InboundStatus.PENDING)
    reason = models.TextField(blank=True)  # why it was ignored or quarantined
    attempts = models.PositiveIntegerField(default=0)
    processed_at = models.DateTimeField(null=True, blank=True)
    # Filled in while processing, for listing and throttling.
    sender = models.CharField(max_length=320, blank=True, db_index=True)
    subject = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=500, blank=True)
    integration = models.ForeignKey(
        "AlertIntegration", null=True, blank=True, on_delete=models.SET_NULL, related_name="payloads"
    )
    issue = models.ForeignKey(
        "issues.Issue", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_messages"
    )
    comment = models.ForeignKey(
        "issues.Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "received_at", "id"], name="inbound_status_idx"),
            models.Index(fields=["sender", "received_at"], name="inbound_sender_idx"),
            # An integration's pending payloads, oldest first, and earlier copies of a payload (replays):
            # what the worker's drain reads, whatever the number of payloads already processed.
            models.Index(fields=["integration", "status", "received_at", "id"], name="inbound_pending_idx"),
            models.Index(fields=["integration", "sha256"], name="inbound_replay_idx"),
        ]


class MailDirection(models.TextChoices):
    IN = "in", "Received"
    OUT = "out", "Sent"


class MailThreadId(models.Model):
    """A Message-ID that belongs to an issue's conversation, sent or received; a reply naming
    it in In-Reply-To or References joins that issue."""

    message_id = models.CharField(max_length=500, unique=True)
    issue = models.ForeignKey("issues.Issue", on_delete=models.CASCADE, related_name="mail_ids")
    comment = models.ForeignKey("issues.Comment", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    direction = models.CharField(max_length=4, choices=MailDirection.choices)
    recipient = models.CharField(max_length=320, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["issue", "created_at"], name="mailid_issue_idx")]


class AlertSource(models.TextChoices):
    ALERTMANAGER = "alertmanager", "Prometheus Alertmanager (webhook v4)"
    GRAFANA = "grafana", "Grafana alerting"
    SENTRY = "sentry", "Sentry issue and event alerts"
    PAGERDUTY = "pagerduty", "PagerDuty Events API v2"
    DATADOG = "datadog", "Datadog webhook"
    GENERIC = "generic", "Generic JSON"


class ResolveMode(models.TextChoices):
    RESOLVE = "resolve", "Resolve the issue"
    ANNOTATE = "annotate", "Only note it on the timeline"


class AlertIntegration(models.Model):
    """A monitoring system allowed to post alerts. Its secret is derived from the server's
    secret key and `secret_salt` and never stored (see intake/secrets.py)."""

    slug = models.SlugField(max_length=50, unique=True)
    source = models.CharField(max_length=16, choices=AlertSource.choices)
    secret_salt = models.CharField(max_length=64)
    organization = models.ForeignKey(
        "customers.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolve_mode = models.CharField(max_length=16, choices=ResolveMode.choices, default=ResolveMode.RESOLVE)
    customer_label = models.CharField(max_length=100, default="customer")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class AlertState(models.TextChoices):
    FIRING = "firing", "Firing"
    RESOLVED = "resolved", "Resolved"


class AlertGroup(models.Model):
    """Every alert with one fingerprint from one integration: one issue, counted, not repeated."""

    integration = models.ForeignKey(AlertIntegration, on_delete=models.CASCADE, related_name="groups")
    fingerprint = models.CharField(max_length=255)
    issue = models.ForeignKey("issues.Issue", on_delete=models.CASCADE, related_name="alert_groups")
    state = models.CharField(max_length=16, choices=AlertState.choices, default=AlertState.FIRING)
    title = models.CharField(max_length=300)
    fired_count = models.PositiveIntegerField(default=0)
    received_count = models.PositiveIntegerField(default=0)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    last_starts_at = models.CharField(max_length=64, blank=True)  # as the sender wrote it
    # State changes inside the flap window; past the limit the timeline stays quiet.
    recent_changes = models.JSONField(default=list, blank=True)
    is_flapping = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["integration", "fingerprint"], name="alertgroup_unique_fingerprint"),
        ]


class SimilarityIndexMark(models.Model):
    """How far the similar-issues index has caught up with issue changes (one row)."""

    indexed_until = models.DateTimeField(null=True, blank=True)
    last_id = models.BigIntegerField(default=0)
    # New issues up to this id have been checked for a near-duplicate already linked to a problem.
    autolinked_until_id = models.BigIntegerField(default=0)


class ImportedReview(models.Model):
    """A review or mention already imported, so importing the same file again creates nothing."""

    source = models.CharField(max_length=50)  # "app_store", "google_play", "mentions", ...
    external_id = models.CharField(max_length=200)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    issue = models.ForeignKey("issues.Issue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="review_unique_source_id")]
