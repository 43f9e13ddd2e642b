"""Feature requests: issues marked as requests, merged requests, who asked and the revenue behind them.

A `FeatureRequest` is one thing customers ask for; each issue asking for it is one `RequestLink`
(an issue asks for one feature at most). Two requests for the same thing are merged like
duplicates: the merged one keeps its row and answers as merged (`merged_into`), its links move.
A link remembers the reply that told its customer the feature shipped, so telling is done once.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    PLANNED = "planned", "Planned"
    SHIPPED = "shipped", "Shipped"
    DECLINED = "declined", "Declined"


class FeatureRequest(models.Model):
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    component = models.ForeignKey("issues.Component", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="feature_requests")
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    shipped_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged_requests")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    merged_at = models.DateTimeField(null=True, blank=True)
    merge_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["merged_into", "status"], name="feature_request_live_idx")]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    @property
    def key(self) -> str:
        return f"FR-{self.pk}"

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None


class RequestLink(models.Model):
    """One issue asking for one feature request."""

    request = models.ForeignKey(FeatureRequest, on_delete=models.PROTECT, related_name="links")
    issue = models.OneToOneField("issues.Issue", on_delete=models.CASCADE, related_name="feature_request_link")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)
    # The public reply that told this issue's customer the request shipped: set once, never again.
    notified_at = models.DateTimeField(null=True, blank=True)
    notified_comment = models.ForeignKey("issues.Comment", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")

    class Meta:
        ordering = ["linked_at", "id"]
        indexes = [models.Index(fields=["request", "linked_at"], name="request_link_request_idx")]
