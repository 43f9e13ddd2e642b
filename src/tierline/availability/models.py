"""Outages and service-level objectives: availability per customer and component, error budgets.

An `Outage` is a span of time (open while `ended_at` is empty) and its scope: everyone
(`is_global`), some organizations, some components, or organizations on some components. An
`Objective` is the availability promised per month, for a plan, one organization (an override)
or one component. The numbers themselves are computed by `slo.py` from these rows, never stored.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutageSource(models.TextChoices):
    ALERT = "alert", "Monitoring alert"
    CUSTOMER_REPORTED = "customer_reported", "Reported by the customer"
    STAFF = "staff", "Entered by staff"


class Outage(models.Model):
    title = models.CharField(max_length=300)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)  # empty while it goes on
    source = models.CharField(max_length=20, choices=OutageSource.choices, default=OutageSource.STAFF)
    is_global = models.BooleanField(default=False)  # everyone, every component
    organizations = models.ManyToManyField("customers.Organization", blank=True, related_name="+")
    components = models.ManyToManyField("issues.Component", blank=True, related_name="+")
    issues = models.ManyToManyField("issues.Issue", blank=True, related_name="outages")
    # The alert issue an alert-driven outage follows: at most one of its outages is open.
    alert_issue = models.ForeignKey("issues.Issue", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["started_at", "id"], name="outage_started_idx"),
            models.Index(fields=["ended_at"], name="outage_ended_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["alert_issue"], condition=Q(ended_at__isnull=True),
                                    name="outage_one_open_per_alert"),
        ]

    def __str__(self) -> str:
        return f"Outage {self.pk}: {self.title}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def scope_label(self) -> str:
        """"everyone", "Acme", "API", "Acme on API" (read from prefetched scope rows)."""
        if self.is_global:
            return "everyone"
        organizations = ", ".join(o.name for o in self.organizations.all())
        components = ", ".join(c.name for c in self.components.all())
        if organizations and components:
            return f"{organizations} on {components}"
        return f"{organizations or components}{' (everyone)' if components else ''}"


class Objective(models.Model):
    """The availability promised per month, in percent (99.9 = 43.2 minutes a 30-day month).
    Exactly one of plan, organization and component is set."""

    plan = models.CharField(max_length=20, blank=True)  # customers.models.Plan
    organization = models.OneToOneField("customers.Organization", null=True, blank=True,
                                        on_delete=models.CASCADE, related_name="+")
    component = models.OneToOneField("issues.Component", null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="+")
    target = models.DecimalField(max_digits=6, decimal_places=3)  # percent, 50 <= target < 100
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "organization", "component"]
        constraints = [
            models.UniqueConstraint(fields=["plan"], condition=~Q(plan=""), name="objective_unique_plan"),
            models.CheckConstraint(
                condition=(Q(plan__gt="", organization__isnull=True, component__isnull=True)
                           | Q(plan="", organization__isnull=False, component__isnull=True)
                           | Q(plan="", organization__isnull=True, component__isnull=False)),
                name="objective_one_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_label}: {self.target}%"

    @property
    def subject_label(self) -> str:
        if self.plan:
            return f"plan {self.plan}"
        if self.organization_id:
            return f"organization {self.organization}"
        return f"component {self.component}"


class AlertOutageCursor(models.Model):
    """How far the worker has read the alert timeline (one row): the last `alert_fired` /
    `alert_resolved` event turned into outage changes."""

    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
