"""Customer accounts (organizations) and the people at them (contacts)."""

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
        return f"{self.name} <{self.email}>" if self.name else self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email
