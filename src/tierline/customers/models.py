"""Customer accounts (organizations) and the people at them (contacts); the back office around
them: environment profile, configuration snapshots, sensitivity rules and just-in-time unmask grants."""

from django.db import models
from django.utils import timezone


class Importance(models.TextChoices):
    STRATEGIC = "strategic", "Strategic"
    KEY = "key", "Key"
    STANDARD = "standard", "Standard"


class Plan(models.TextChoices):
    FREE = "free", "Free"
    TEAM = "team", "Team"
    BUSINESS = "business", "Business"
    ENTERPRISE = "enterprise", "Enterprise"


class Organization(models.Model):
    """A customer account."""

    name = models.CharField(max_length=200, unique=True)
    # Lower-case mail domains; a sender from one of them belongs to this organization.
    email_domains = models.JSONField(default=list, blank=True)
    plan = models.CharField(max_length=20, choices=Plan.choices, default=Plan.TEAM)
    annual_revenue = models.DecimalField(
        "annual recurring revenue", max_digits=14, decimal_places=2, default=0
    )
    importance = models.CharField(max_length=20, choices=Importance.choices, default=Importance.STANDARD)
    renewal_date = models.DateField(null=True, blank=True)
    open_deal_value = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # {fact: {"value", "source", "observed_at"}}: runtimes, versions, cloud, deployment, as told by
    # questionnaires or seen by live-debugging agents.
    environment = models.JSONField(default=dict, blank=True)
    # Unmasking this organization's personal data needs a second person's approval.
    unmask_needs_approval = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at a customer organization, known by email; may also have a portal login."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=50, blank=True)
    user = models.OneToOneField(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="contact"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        # Never the name or address: str() ends up in logs, the admin's breadcrumbs and templates,
        # where personal values must be masked (customers/masking.py).
        return f"Contact {self.pk}"

    @property
    def display_name(self) -> str:
        return self.name or self.email


class Sensitivity(models.TextChoices):
    PUBLIC = "public", "Public"
    INTERNAL = "internal", "Internal"
    PERSONAL = "personal", "Personal"  # masked unless unmasked for a reason
    SECRET = "secret", "Secret"  # never shown, never leaves the server


class SensitivityRule(models.Model):
    """An admin's override of the built-in rules: fields whose dotted path matches `pattern`
    (shell-style, e.g. `configuration.billing.*`) have this sensitivity."""

    pattern = models.CharField(max_length=200, unique=True)
    sensitivity = models.CharField(max_length=16, choices=Sensitivity.choices)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pattern"]


class ConfigurationSnapshot(models.Model):
    """The customer's product configuration as the company's systems sent it at one moment.
    Secret values are kept only as keyed fingerprints, enough to tell that they changed."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="configurations")
    data = models.JSONField(default=dict)
    digest = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now)
    received_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["received_at", "id"]
        indexes = [models.Index(fields=["organization", "received_at", "id"], name="config_org_idx")]


class UnmaskGrant(models.Model):
    """Just-in-time access to an organization's personal data, for one person, one issue, a
    limited time; `expires_at` is set when the grant starts (at once, or on approval)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="unmask_grants")
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    issue = models.ForeignKey("issues.Issue", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    needs_approval = models.BooleanField(default=False)
    approved_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "requested_by", "expires_at"], name="unmask_active_idx")]

    def is_active(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at > (now or timezone.now())

    @property
    def is_pending(self) -> bool:
        return self.needs_approval and self.approved_at is None
