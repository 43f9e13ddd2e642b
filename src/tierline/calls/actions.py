"""Every write of calls: a call logged on an issue (by an agent or a phone line), an issue opened
from a call, phone lines, and webhook deliveries stored before they are read.

`do_log_call` writes the call and its `call_logged` timeline event in one transaction; a call
resolved on the phone resolves its issue through `tierline.issues.actions`. Provider reports are
processed in `webhook.py`, which calls these actions.
"""

import hashlib
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from tierline.accounts.models import User
from tierline.customers.models import Contact, Organization
from tierline.errors import InvalidInput
from tierline.issues.models import Channel, EventKind, Issue, IssueEvent, Status

from .models import Call, CallDelivery, ContactNumber, Direction, Outcome, PhoneLine, Provider
from .numbers import mask_number, normalise_number
from .queries import contacts_to_index, find_contact_by_number
from .tokens import seal_token

MAX_NOTES = 20_000
MAX_DURATION = 7 * 24 * 3600


def _check(direction: str, outcome: str, duration_seconds: int, notes: str, **texts: str) -> None:
    # PostgreSQL text cannot hold NUL characters: refuse them rather than fail on save.
    problems = {name: "must not contain NUL characters" for name, text in {"notes": notes, **texts}.items()
                if "\x00" in (text or "")}
    if direction not in Direction.values:
        problems["direction"] = f"one of {', '.join(Direction.values)}"
    if outcome not in Outcome.values:
        problems["outcome"] = f"one of {', '.join(Outcome.values)}"
    if not isinstance(duration_seconds, int) or not 0 <= duration_seconds <= MAX_DURATION:
        problems["duration_seconds"] = f"0 to {MAX_DURATION} seconds"
    if len(notes) > MAX_NOTES and "notes" not in problems:
        problems["notes"] = f"at most {MAX_NOTES} characters"
    if problems:
        raise InvalidInput("Invalid call", problems)


def do_index_contact_numbers(batch: int = 2000) -> int:
    """Read the numbers of contacts added or changed since the last match into ContactNumber."""
    count = 0
    while True:
        contacts = list(contacts_to_index().values_list("pk", "phone")[:batch])
        if not contacts:
            return count
        with transaction.atomic():
            ContactNumber.objects.filter(contact_id__in=[pk for pk, _ in contacts]).delete()
            ContactNumber.objects.bulk_create([
                ContactNumber(contact_id=pk, typed=phone, number=normalise_number(phone) or "")
                for pk, phone in contacts
            ], ignore_conflicts=True)  # a concurrent match indexed the same contact: either row is right
        count += len(contacts)


def match_caller(number: str) -> Contact | None:
    """The contact with this phone number, the index brought up to date first."""
    do_index_contact_numbers()
    return find_contact_by_number(number)


def _elsewhere(issue: Issue, contact: Contact) -> bool:
    """The contact works for another customer than the issue's."""
    return bool(issue.organization_id) and contact.organization_id not in (None, issue.organization_id)


def caller_number_or_error(raw: str, *, strict: bool = True) -> str:
    """The caller's number in E.164; an agent's typo is a 422, a provider's `anonymous` is kept."""
    number = normalise_number(raw)
    if number is None and strict:
        raise InvalidInput("Not a phone number", {"caller_number": "a phone number, e.g. +1 415 555 0100"})
    return number or (raw or "").strip()[:64] or "unknown"


def call_event_data(call: Call, change: str) -> dict:
    """What the timeline shows of a call, kept with the event (the timeline is append-only)."""
    return {
        "call": call.pk, "change": change, "direction": call.direction, "caller": mask_number(call.caller_number),
        # Named on the page only through the reader's PersonalData (customers/masking.py).
        "contact_id": call.contact_id, "contact_name": call.contact.display_name if call.contact_id else "",
        "contact_organization_id": call.contact.organization_id if call.contact_id else None,
        "duration_seconds": call.duration_seconds, "outcome": call.outcome,
        "outcome_label": Outcome(call.outcome).label if call.outcome else "", "notes": call.notes,
        "recording_url": call.recording_url, "line": call.line.slug if call.line_id else None,
    }


def record_call_event(call: Call, change: str, *, actor: User | None, at: datetime) -> IssueEvent:
    return IssueEvent.objects.create(
        issue=call.issue, kind=EventKind.CALL_LOGGED, actor=actor,
        actor_contact=call.contact if actor is None else None, data=call_event_data(call, change), created_at=at,
    )


def do_log_call(
    issue: Issue,
    *,
    actor: User | None,
    direction: str,
    caller_number: str,
    outcome: str,
    duration_seconds: int = 0,
    notes: str = "",
    contact: Contact | None = None,
    started_at: datetime | None = None,
    line: PhoneLine | None = None,
    external_id: str | None = None,
    provider_status: str = "",
    recording_url: str = "",
    at: datetime | None = None,
) -> Call:
    """A call about an issue: the row and its `call_logged` event. The caller is matched to a
    contact by number unless one is given; a call resolved on the phone resolves the issue."""
    from tierline.issues.actions import do_update_issue

    notes = (notes or "").strip()
    _check(direction, outcome, duration_seconds, notes, caller_number=caller_number)
    number = caller_number_or_error(caller_number, strict=line is None)
    if contact is None:
        contact = match_caller(number)
        if contact is not None and _elsewhere(issue, contact):
            contact = None  # the same number at another customer: not this issue's caller
    elif _elsewhere(issue, contact):
        raise InvalidInput("The contact belongs to another organization", {"contact_id": "not in this organization"})
    now = at or timezone.now()
    with transaction.atomic():
        call = Call.objects.create(
            issue=issue, direction=direction, caller_number=number, contact=contact,
            duration_seconds=duration_seconds, notes=notes, outcome=outcome, logged_by=actor, line=line,
            external_id=external_id or None, provider_status=provider_status[:20],
            recording_url=recording_url[:500], started_at=started_at or now, created_at=now,
        )
        record_call_event(call, "logged", actor=actor, at=now)
        if outcome == Outcome.RESOLVED and not issue.is_done:
            do_update_issue(issue, actor=actor, status=Status.RESOLVED, at=now)
    return call


def do_open_issue_from_call(
    *,
    actor: User | None,
    title: str,
    direction: str,
    caller_number: str,
    outcome: str,
    duration_seconds: int = 0,
    notes: str = "",
    description: str = "",
    severity: int = 3,
    organization: Organization | None = None,
    contact: Contact | None = None,
    line: PhoneLine | None = None,
    external_id: str | None = None,
    provider_status: str = "",
    recording_url: str = "",
    at: datetime | None = None,
) -> Call:
    """A new issue on channel `phone`, its requester the caller (matched by number unless given),
    with the call logged on it, in one transaction."""
    from tierline.issues.actions import do_create_issue

    notes = (notes or "").strip()
    _check(direction, outcome, duration_seconds, notes, title=title, description=description,
           caller_number=caller_number)
    number = caller_number_or_error(caller_number, strict=line is None)
    if contact is None:
        contact = match_caller(number)
        if contact is not None and organization is not None and contact.organization_id not in (None, organization.pk):
            contact = None
    now = at or timezone.now()
    with transaction.atomic():
        issue = do_create_issue(
            actor=actor, title=title, description=description or notes, channel=Channel.PHONE, severity=severity,
            organization=organization, requester=contact, at=now,
        )
        return do_log_call(
            issue, actor=actor, direction=direction, caller_number=number, outcome=outcome,
            duration_seconds=duration_seconds, notes=notes, contact=contact, line=line, external_id=external_id,
            provider_status=provider_status, recording_url=recording_url, at=now,
        )


def do_create_phone_line(*, slug: str, auth_token: str, provider: str = Provider.TWILIO,
                         organization: Organization | None = None) -> PhoneLine:
    clean = slugify(slug)[:50]
    problems = {}
    if not clean:
        problems["slug"] = "required"
    if provider not in Provider.values:
        problems["provider"] = f"one of {', '.join(Provider.values)}"
    if not auth_token.strip() or len(auth_token) > 200:
        problems["auth_token"] = "the provider's auth token, at most 200 characters"
    if problems:
        raise InvalidInput("Invalid phone line", problems)
    with transaction.atomic():
        if PhoneLine.objects.filter(slug=clean).exists():
            raise InvalidInput("A phone line with this name exists", {"slug": "already taken"})
        return PhoneLine.objects.create(slug=clean, provider=provider, auth_token_sealed=seal_token(auth_token.strip()),
                                        organization=organization)


def do_set_phone_line_token(line: PhoneLine, *, auth_token: str) -> PhoneLine:
    """After the provider's token was rotated (or the server's secret key changed)."""
    if not auth_token.strip() or len(auth_token) > 200:
        raise InvalidInput("Invalid auth token", {"auth_token": "the provider's auth token, at most 200 characters"})
    with transaction.atomic():
        line.auth_token_sealed = seal_token(auth_token.strip())
        line.save(update_fields=["auth_token_sealed"])
    return line


def do_receive_call_delivery(line: PhoneLine, *, raw: bytes, call_sid: str = "", status: str = "pending",
                             reason: str = "") -> CallDelivery:
    """Keep an authentic delivery exactly as it came; a pending one goes to the worker."""
    with transaction.atomic():
        delivery = CallDelivery.objects.create(
            line=line, raw=raw, sha256=hashlib.sha256(raw).hexdigest(), call_sid=call_sid[:64], status=status,
            reason=reason[:2000], processed_at=timezone.now() if status != "pending" else None,
        )
        if status == "pending":
            from .tasks import process_call_delivery

            transaction.on_commit(lambda: process_call_delivery(delivery.pk))
    return delivery


def do_process_call_delivery(delivery: CallDelivery) -> CallDelivery:
    """Read a stored delivery once: a new call joins or opens its caller's issue, a later report
    of the same call (CallSid) updates it; a retry is ignored; any failure quarantines it."""
    from django.db import IntegrityError

    from tierline.errors import ActionError
    from tierline.intake.models import InboundStatus

    from .webhook import apply_delivery

    if delivery.status in (InboundStatus.PROCESSED, InboundStatus.IGNORED):
        return delivery
    try:
        try:
            with transaction.atomic():
                status, reason, call = apply_delivery(delivery)
        except IntegrityError:
            # Another report of the same new call won the race to create it: this one updates it.
            with transaction.atomic():
                status, reason, call = apply_delivery(delivery)
    except ActionError as error:
        status, reason, call = InboundStatus.QUARANTINED, f"{error.detail} {error.fields or ''}".strip(), None
    except Exception as error:  # noqa: BLE001 - anything unexpected is kept with its reason, not lost
        status, reason, call = InboundStatus.QUARANTINED, f"{type(error).__name__}: {error}", None
    with transaction.atomic():
        delivery.status, delivery.reason, delivery.call = status, reason[:2000], call
        delivery.processed_at = timezone.now()
        delivery.save(update_fields=["status", "reason", "call", "processed_at"])
    return delivery
