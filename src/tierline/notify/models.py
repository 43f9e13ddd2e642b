"""Closing the loop: notices to affected customers when a fix ships, satisfaction surveys, outgoing webhooks.

- `FixRelease`: a problem's fix shipped (version, note for customers, whether it resolves the issues);
  one per problem, kept here rather than on the problem so the escalation app needs no new column.
- `ProblemNotice`: one linked issue told of that fix, written in the transaction that tells it, so
  nobody is told twice.
- `SatisfactionRating`: the customer's rating of one resolution round of an issue.
- `WebhookEndpoint` / `WebhookDelivery`: where issue events are sent, and the outbox of one event
  to one endpoint with its attempts.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class FixRelease(models.Model):
    problem = models.OneToOneField("escalation.Problem", on_delete=models.CASCADE, related_name="fix_release")
    version = models.CharField(max_length=50, blank=True)
    note = models.TextField(blank=True)  # written for customers; the problem's own text stays internal
    resolve_issues = models.BooleanField(default=True)
    shipped_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    shipped_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"fix of PRB-{self.problem_id} {self.version}".strip()


class ProblemNotice(models.Model):
    release = models.ForeignKey(FixRelease, on_delete=models.CASCADE, related_name="notices")
    issue = models.ForeignKey("issues.Issue", on_delete=models.CASCADE, related_name="fix_notices")
    comment = models.ForeignKey("issues.Comment", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    resolved_issue = models.BooleanField(default=False)
    told_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["release", "issue"], name="problem_notice_once")]


class Rating(models.TextChoices):
    GOOD = "good", "Good"
    BAD = "bad", "Bad"


class SatisfactionRating(models.Model):
    """One per issue and resolution round (`resolved_at`): rating again changes it. The team and
    priority are the issue's when it was resolved, for the CSAT figures."""

    issue = models.ForeignKey("issues.Issue", on_delete=models.CASCADE, related_name="satisfaction_ratings")
    resolved_at = models.DateTimeField()
    rating = models.CharField(max_length=8, choices=Rating.choices)
    comment = models.TextField(blank=True)
    contact = models.ForeignKey("customers.Contact", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    priority = models.PositiveSmallIntegerField(null=True, blank=True)
    rated_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issue", "resolved_at"], name="satisfaction_once_per_round")]
        indexes = [models.Index(fields=["rated_at", "id"], name="satisfaction_rated_idx")]


class WebhookFormat(models.TextChoices):
    JSON = "json", "JSON"
    SLACK = "slack", "Slack"


class WebhookEndpoint(models.Model):
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list)  # webhook event names (notify.events.WEBHOOK_EVENTS)
    format = models.CharField(max_length=8, choices=WebhookFormat.choices, default=WebhookFormat.JSON)
    is_active = models.BooleanField(default=True)
    salt = models.CharField(max_length=32)  # the signing secret is derived from it; rotating changes it
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    issue = models.ForeignKey("issues.Issue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict, blank=True)  # the timeline event's data, as written
    occurred_at = models.DateTimeField()
    body = models.TextField(blank=True)  # rendered at the first attempt; retries send the same bytes
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
            models.Index(fields=["endpoint", "-created_at", "-id"], name="webhook_delivery_log_idx"),
        ]
