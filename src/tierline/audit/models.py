"""The audit trail: one append-only, hash-chained row per sensitive act.

Each entry stores who (actor), what (action, target), when, why (reason) and from where (IP,
user agent), plus the hash of the entry before it; `AuditChainHead` holds the last hash and is
row-locked while appending, so concurrent writers extend one chain instead of forking it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("the audit trail is append-only")

    def delete(self):
        raise AppendOnlyError("the audit trail is append-only")


class AuditEntry(models.Model):
    created_at = models.DateTimeField(default=timezone.now)
    # PROTECT: users and organizations are deactivated, never deleted, while the trail names them.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The actor's email at the time, so the entry reads the same after the user changes.
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64)
    organization = models.ForeignKey(
        "customers.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    reason = models.TextField(blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["organization", "action", "id"], name="audit_org_idx"),
            models.Index(fields=["actor", "id"], name="audit_actor_idx"),
            models.Index(fields=["action", "id"], name="audit_action_idx"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("the audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the audit trail is append-only")


class AuditChainHead(models.Model):
    """The single row (pk=1) that knows the end of the chain; cutting entries off the end
    leaves it pointing at a hash that is gone, which `verify_chain` reports."""

    last_hash = models.CharField(max_length=64, default="")
    length = models.PositiveBigIntegerField(default=0)
