"""Issues, their comments and attachments, the append-only timeline, and components."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Channel(models.TextChoices):
    PORTAL = "portal", "Portal"
    API = "api", "API"
    EMAIL = "email", "Email"
    ALERT = "alert", "Monitoring alert"
    REVIEW = "review", "App review"
    SOCIAL = "social", "Social"
    METRIC = "metric", "Metric anomaly"
    CHAT = "chat", "In-app chat"
    PHONE = "phone", "Phone"


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending customer"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


DONE_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})


class Severity(models.IntegerChoices):
    S1 = 1, "S1 outage"
    S2 = 2, "S2 major"
    S3 = 3, "S3 minor"
    S4 = 4, "S4 question"


class Priority(models.IntegerChoices):
    P0 = 0, "P0"
    P1 = 1, "P1"
    P2 = 2, "P2"
    P3 = 3, "P3"


class Component(models.Model):
    """A product area an issue is about, owned by one team."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    owner_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="components"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Issue(models.Model):
    """A customer's problem, from the first report to its resolution."""

    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.PORTAL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, default=Severity.S3)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.P2)
    tier = models.PositiveSmallIntegerField(default=1)
    organization = models.ForeignKey(
        "customers.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="issues"
    )
    requester = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="issues"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_issues"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="issues"
    )
    component = models.ForeignKey(
        Component, null=True, blank=True, on_delete=models.SET_NULL, related_name="issues"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Triage inputs beyond severity, and what tierline.triage made of them: `priority` is the
    # effective value (the override when there is one), `computed_priority` what the rules say.
    labels = models.JSONField(default=list, blank=True)
    affected_users = models.PositiveIntegerField(null=True, blank=True)
    alert_level = models.CharField(max_length=16, blank=True)  # the channel's own severity
    computed_priority = models.PositiveSmallIntegerField(choices=Priority.choices, null=True, blank=True)
    priority_score = models.SmallIntegerField(default=0)
    priority_explanation = models.CharField(max_length=300, blank=True)
    priority_rules_version = models.CharField(max_length=20, blank=True)
    priority_override = models.PositiveSmallIntegerField(choices=Priority.choices, null=True, blank=True)
    priority_override_reason = models.CharField(max_length=500, blank=True)
    priority_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What engineering needs before an escalation (tierline.escalation checks them).
    reproduction_steps = models.TextField(blank=True)
    questionnaire_answers = models.JSONField(default=dict, blank=True)

    class Meta:
        # Every queue sort is a keyset over (field, id); these indexes serve them with and
        # without the most common filters.
        indexes = [
            models.Index(fields=["updated_at", "id"], name="issue_updated_idx"),
            models.Index(fields=["created_at", "id"], name="issue_created_idx"),
            # Both directions of the priority sort: P0 first with newest first, and its reverse.
            models.Index(fields=["priority", "-updated_at", "-id"], name="issue_priority_idx"),
            models.Index(fields=["priority", "updated_at", "id"], name="issue_priority_rev_idx"),
            models.Index(fields=["status", "updated_at", "id"], name="issue_status_idx"),
            models.Index(fields=["organization", "updated_at", "id"], name="issue_org_idx"),
            models.Index(fields=["team", "updated_at", "id"], name="issue_team_idx"),
            models.Index(fields=["assignee", "updated_at", "id"], name="issue_assignee_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    @property
    def key(self) -> str:
        return format_issue_key(self.pk)

    @property
    def is_done(self) -> bool:
        return self.status in DONE_STATUSES


def format_issue_key(number: int) -> str:
    return f"{settings.ISSUE_KEY_PREFIX}-{number}"


def parse_issue_key(key: str) -> int | None:
    """`TL-42` (any case) or a bare `42` -> 42; anything else -> None."""
    prefix, _, number = key.strip().rpartition("-")
    if prefix and prefix.upper() != settings.ISSUE_KEY_PREFIX.upper():
        return None
    # isdigit() alone takes "³" and other Unicode digits that int() refuses.
    return int(number) if number.isascii() and number.isdigit() and len(number) < 19 else None


class Comment(models.Model):
    """A public reply to the customer or an internal note, by a user or a contact."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    author_contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    body = models.TextField()
    is_public = models.BooleanField(default=True)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.PORTAL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["issue", "created_at"], name="comment_issue_idx")]

    @property
    def author_name(self) -> str:
        if self.author_id:
            return self.author.display_name
        if self.author_contact_id:
            return self.author_contact.display_name
        return "Tierline"


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"issues/{instance.issue_id}/{timezone.now():%Y%m%d%H%M%S}-{filename}"


class Attachment(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=500)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    COMMENTED = "commented", "Replied"
    NOTE_ADDED = "note_added", "Internal note"
    STATUS_CHANGED = "status_changed", "Status changed"
    REOPENED = "reopened", "Reopened"
    ASSIGNED = "assigned", "Assignee changed"
    TEAM_CHANGED = "team_changed", "Team changed"
    TIER_CHANGED = "tier_changed", "Tier changed"
    PRIORITY_CHANGED = "priority_changed", "Priority changed"
    FIELDS_CHANGED = "fields_changed", "Details changed"
    ATTACHMENT_ADDED = "attachment_added", "Attachment added"
    NOTIFIED = "notified", "Customer notified"
    MAIL_BOUNCED = "mail_bounced", "Email bounced"
    ALERT_FIRED = "alert_fired", "Alert fired"
    ALERT_RESOLVED = "alert_resolved", "Alert resolved"
    ALERT_FLAPPING = "alert_flapping", "Alert flapping"
    PRIORITY_OVERRIDDEN = "priority_overridden", "Priority overridden"
    ESCALATED = "escalated", "Escalated"
    DE_ESCALATED = "de_escalated", "De-escalated"
    QUESTIONNAIRE_ANSWERED = "questionnaire_answered", "Questionnaire answered"
    SLA_WARNING = "sla_warning", "SLA warning"
    SLA_BREACHED = "sla_breached", "SLA breached"
    ESCALATION_STEP = "escalation_step", "Escalation policy step"
    PROBLEM_LINKED = "problem_linked", "Linked to a problem"
    PROBLEM_UNLINKED = "problem_unlinked", "Unlinked from a problem"
    TEAM_TASK_CHANGED = "team_task_changed", "Team task changed"
    CALL_LOGGED = "call_logged", "Call logged"
    METRIC_ANOMALY = "metric_anomaly", "Metric anomaly detected"
    METRIC_RECOVERED = "metric_recovered", "Metric recovered"
    PROBE_ADDED = "probe_added", "Probe added"
    PROBE_CHANGED = "probe_changed", "Probe changed"
    PROBE_REMOVED = "probe_removed", "Probe removed"
    PROBE_HIT = "probe_hit", "Probe hit"
    TIME_LOGGED = "time_logged", "Time logged"
    FEATURE_REQUEST = "feature_request", "Marked as a feature request"
    REQUEST_MERGED = "request_merged", "Feature request merged"
    FIX_SHIPPED = "fix_shipped", "Fix shipped"
    SATISFACTION_RATED = "satisfaction_rated", "Satisfaction rated"
    ARTICLE_SUGGESTED = "article_suggested", "Article suggested"
    ARTICLE_WRITTEN = "article_written", "Article written"
    OUTAGE_RECORDED = "outage_recorded", "Outage recorded"


class AppendOnlyError(Exception):
    pass


class IssueEvent(models.Model):
    """One entry of an issue's timeline. Written once by an action, never changed."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["issue", "created_at", "id"], name="event_issue_idx")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("issue events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("issue events are append-only")

    @property
    def actor_name(self) -> str:
        if self.actor_id:
            return self.actor.display_name
        if self.actor_contact_id:
            return self.actor_contact.display_name
        return "Tierline"
