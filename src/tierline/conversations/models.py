"""Chat keys (who may vouch for a widget user's identity) and conversations (a chat issue's live state).

A conversation *is* an issue on channel `chat`; this row only adds what the issue does not hold:
the context the widget captured, whether the identity was verified, the hashed resume token,
and the customer's presence (open sockets, last seen) that decides live push or email.
"""

from django.db import models
from django.utils import timezone


class ChatKey(models.Model):
    """A signing key for widget identities: one organization's, or a whole product's when
    `organization` is empty. The secret is derived from the server's secret key and `secret_salt`
    (conversations/identity.py) and never stored, like intake's integration secrets."""

    key_id = models.CharField(max_length=40, unique=True)
    organization = models.ForeignKey(
        "customers.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="chat_keys"
    )
    product = models.CharField(max_length=100, blank=True)
    secret_salt = models.CharField(max_length=64)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.key_id


class Conversation(models.Model):
    issue = models.OneToOneField("issues.Issue", on_delete=models.CASCADE, related_name="conversation")
    # SHA-256 of the random token the widget keeps to resume; the token itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True)
    is_verified = models.BooleanField(default=False)
    external_user_id = models.CharField(max_length=200, blank=True)
    chat_key = models.ForeignKey(ChatKey, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    page_url = models.CharField(max_length=2000, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    app_version = models.CharField(max_length=100, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    # The customer's last unanswered message: the live queue sorts and times waiting by it.
    waiting_since = models.DateTimeField(null=True, blank=True)
    sockets_open = models.IntegerField(default=0)
    customer_seen_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["waiting_since", "id"], name="conversation_waiting_idx")]

    def __str__(self) -> str:
        return f"conversation on issue {self.issue_id}"
