"""Phone calls on issues: each call an agent logs or the telephony provider reports, the phone
lines allowed to report them (with their provider's auth token, sealed), and every webhook
delivery exactly as it arrived."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from tierline.intake.models import InboundStatus


class Direction(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class Outcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved on the call"
    CALL_BACK = "call_back", "Call back"
    ESCALATED = "escalated", "Escalated"
    VOICEMAIL = "voicemail", "Voicemail"
    NO_ANSWER = "no_answer", "No answer"
    BUSY = "busy", "Busy"
    FAILED = "failed", "Call failed"
    ANSWERED = "answered", "Answered"  # what the provider knows; an agent may say more
    IN_PROGRESS = "in_progress", "In progress"  # the provider reported a call that has not ended


# Outcomes the provider's status gives; an agent's own outcome is never overwritten by them.
PROVIDER_OUTCOMES = frozenset({Outcome.ANSWERED, Outcome.NO_ANSWER, Outcome.BUSY, Outcome.FAILED,
                               Outcome.IN_PROGRESS})


class Provider(models.TextChoices):
    TWILIO = "twilio", "Twilio (voice status callback)"


class PhoneLine(models.Model):
    """A telephony account allowed to report calls at /api/v1/calls/<provider>/<slug>. The
    provider chooses the auth token that signs its requests, so it is kept, sealed with a key
    derived from the server's secret key (calls/tokens.py), and never shown again."""

    slug = models.SlugField(max_length=50, unique=True)
    provider = models.CharField(max_length=16, choices=Provider.choices, default=Provider.TWILIO)
    auth_token_sealed = models.TextField()
    # A line dedicated to one customer: unknown callers on it become that organization's contacts.
    organization = models.ForeignKey(
        "customers.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class Call(models.Model):
    """One phone call about an issue, logged by an agent or reported by a phone line."""

    issue = models.ForeignKey("issues.Issue", on_delete=models.CASCADE, related_name="calls")
    direction = models.CharField(max_length=16, choices=Direction.choices)
    # The customer's number: E.164 when it could be read, else as the provider or agent wrote it.
    caller_number = models.CharField(max_length=64, db_index=True)
    contact = models.ForeignKey(
        "customers.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    duration_seconds = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    line = models.ForeignKey(PhoneLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    # The provider's id (Twilio's CallSid): one row per call however often it reports.
    external_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    provider_status = models.CharField(max_length=20, blank=True)
    recording_url = models.URLField(max_length=500, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["issue", "started_at", "id"], name="call_issue_idx")]


class ContactNumber(models.Model):
    """A contact's phone number in E.164, read once from the number as typed (`typed`): callers are
    matched by an indexed lookup instead of reading every contact's number again. A row whose
    `typed` differs from the contact's phone is stale and is read again before the next match."""

    contact = models.OneToOneField("customers.Contact", on_delete=models.CASCADE, related_name="+")
    typed = models.CharField(max_length=50)
    number = models.CharField(max_length=64, db_index=True)  # "" when the typed text is no number


class CallDelivery(models.Model):
    """One webhook request of a phone line exactly as it arrived, stored before it is read, so
    nothing is lost: processing ends processed, ignored (a retry) or quarantined (the reason). A
    report of a call not reported yet (a recording callback that overtook the call's status
    callback) stays pending, read again with a growing delay and as soon as the call arrives."""

    line = models.ForeignKey(PhoneLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    raw = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    call_sid = models.CharField(max_length=64, blank=True, db_index=True)
    received_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=InboundStatus.choices, default=InboundStatus.PENDING)
    reason = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    call = models.ForeignKey(Call, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    # Times it was read before its call was reported (see actions.do_process_call_delivery).
    waits = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["line", "sha256"], name="calldelivery_replay_idx")]
