"""Every write of calls: a call logged on an issue (by an agent or a phone line), an issue opened
from a call, phone lines, and webhook deliveries stored before they are read.

`do_log_call` writes the call and its `call_logged` timeline event in one transaction and moves
the issue the way a public reply does: an agent's call that reached the customer is a response
for the SLA clocks (`is_response`), a call resolved on the phone resolves the issue (through
`tierline.issues.actions`). Provider reports are processed in `webhook.py`, which calls these
actions. Creating a phone line and setting its auth token are audited (never the token).
"""

import hashlib
from datetime import datetime, timedelta
from typing import Required, TypedDict, Unpack

from django.db import transaction
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from tierline.accounts.models import User
from tierline.audit.actions import AuditAction, do_record_audit
from tierline.customers.models import Contact, Organization
from tierline.errors import InvalidInput
from tierline.intake.models import InboundStatus
from tierline.issues.models import Channel, EventKind, Issue, IssueEvent, Status

from .models import Call, CallDelivery, ContactNumber, Direction, Outcome, PhoneLine, Provider
from .numbers import mask_number, normalise_number
from .queries import contacts_to_index, find_contact_by_number, waiting_for_call, waiting_with_their_call
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


def _index(contacts: list[tuple[int, str]]) -> None:
    with transaction.atomic():
        ContactNumber.objects.filter(contact_id__in=[pk for pk, _ in contacts]).delete()
        ContactNumber.objects.bulk_create([
            ContactNumber(contact_id=pk, typed=phone, number=normalise_number(phone) or "")
            for pk, phone in contacts
        ], ignore_conflicts=True)  # a concurrent match indexed the same contact: either row is right


def do_index_contact_numbers(batch: int = 2000) -> int:
    """Read every contact not read yet, or whose number changed since, into ContactNumber. It
    reads all contacts, so it runs in the worker (every few minutes) and before benchmarks, not
    before each match."""
    count = 0
    while True:
        contacts = list(contacts_to_index().values_list("pk", "phone")[:batch])
        if not contacts:
            return count
        _index(contacts)
        count += len(contacts)


def do_index_new_contacts(batch: int = 2000) -> int:
    """Read the contacts created since the last read (ids above the highest one read): one
    indexed query when there are none. The application never changes a contact's number, so
    this keeps matching current; a number changed behind its back, or a contact committed out of
    id order, waits for the worker's `do_index_contact_numbers` (a stale row never matches)."""
    last_read = Coalesce(Subquery(ContactNumber.objects.order_by("-contact_id").values("contact_id")[:1]), 0)
    count = 0
    while True:
        contacts = list(Contact.objects.filter(pk__gt=last_read).order_by("pk").values_list("pk", "phone")[:batch])
        if not contacts:
            return count
        _index(contacts)
        count += len(contacts)


def match_caller(number: str) -> Contact | None:
    """The contact with this phone number. A contact created since the last read is read only
    when the index knows no one with the number: the oldest contact wins a shared number, so a
    newer one could not change a match found."""
    if normalise_number(number) is None:
        return None
    contact = find_contact_by_number(number)
    if contact is None and do_index_new_contacts():
        contact = find_contact_by_number(number)
    return contact


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
        "started_at": call.started_at.isoformat(),
    }


def record_call_event(call: Call, change: str, *, actor: User | None, at: datetime) -> IssueEvent:
    return IssueEvent.objects.create(
        issue=call.issue, kind=EventKind.CALL_LOGGED, actor=actor,
        actor_contact=call.contact if actor is None else None, data=call_event_data(call, change), created_at=at,
    )


# Calls that never reached the customer: no response, whichever way they went.
UNREACHED = frozenset({Outcome.NO_ANSWER, Outcome.BUSY, Outcome.FAILED})


def is_response(call: Call, actor: User | None) -> bool:
    """An agent's call that reached the customer answers them like a public reply (as calls do in
    Zendesk and Jira Service Management): an outbound call that got through (a voicemail we left
    included) or an inbound call we answered (not one that went to voicemail).

    A call a phone line reports names no agent. It answers the customer only when the company
    placed it and the customer talked on it (Twilio's outbound-api or outbound-dial, completed,
    with a length), about an issue that existed before it: an inbound call is the customer
    reaching us, not an answer, and a call that opened its issue answered nothing asked there."""
    if call.outcome in UNREACHED or (actor is not None and actor.is_customer):
        return False
    if actor is None:
        return (call.line_id is not None and call.direction == Direction.OUTBOUND
                and call.provider_status == "completed" and call.duration_seconds > 0
                and call.issue.created_at < call.created_at)
    return call.direction == Direction.OUTBOUND or call.outcome != Outcome.VOICEMAIL


def move_issue_for_call(issue: Issue, call: Call, *, actor: User | None, now: datetime) -> None:
    """What the call does to its issue, in the call's transaction (when it is logged, and again
    when a phone line reports that it ended): it is updated; a response meets
    the first-response clock at the time of the call (logged later or not), stops the
    next-response clock unless the customer wrote after the call, and opens a new issue; a call
    from the customer takes an issue waiting on them (pending) back to open, as their reply would."""
    from tierline.escalation.clocks import sync_sla_clocks
    from tierline.issues.actions import do_update_issue

    responded = is_response(call, actor)
    customer_called = call.direction == Direction.INBOUND and issue.status == Status.PENDING
    if not responded and not customer_called and call.outcome != Outcome.RESOLVED:
        if issue.updated_at < now:  # not an issue opened by this very call
            Issue.objects.filter(pk=issue.pk, updated_at__lt=now).update(updated_at=now)
        return
    issue = Issue.objects.select_for_update().get(pk=issue.pk)
    answered_at = min(max(call.started_at, issue.created_at), now)
    fields = ["updated_at"]
    issue.updated_at = max(issue.updated_at, now)
    if responded and issue.first_response_at is None:
        issue.first_response_at = answered_at
        fields.append("first_response_at")
    issue.save(update_fields=fields)
    if responded:
        answers_latest = not issue.comments.filter(is_public=True, author_contact__isnull=False,
                                                   created_at__gt=answered_at).exists()
        sync_sla_clocks(issue, answered_at, reply="staff" if answers_latest else None)
    if call.outcome == Outcome.RESOLVED and not issue.is_done:
        do_update_issue(issue, actor=actor, status=Status.RESOLVED, at=now)
    elif (responded and issue.status == Status.NEW) or (customer_called and issue.status == Status.PENDING):
        do_update_issue(issue, actor=actor, status=Status.OPEN, at=now)


class CallFields(TypedDict, total=False):
    """What an agent or a phone line tells of one call: the keyword arguments `do_log_call` and
    `do_open_issue_from_call` share. A field left out means no notes, a length of 0, a call that
    started when it was logged, and one an agent typed (no line: a wrong number is refused; no
    provider id, status or recording)."""

    direction: Required[str]
    caller_number: Required[str]
    outcome: Required[str]
    duration_seconds: int
    notes: str
    started_at: datetime | None
    line: PhoneLine | None
    external_id: str | None
    provider_status: str
    recording_url: str


# An API client's clock may run a little ahead of ours; a call further in the future is a mistake.
CLOCK_SKEW = timedelta(minutes=1)


def _read_call(call: CallFields, now: datetime, **texts: str) -> CallFields:
    """The call checked and normalised (InvalidInput names each wrong field): the notes trimmed,
    the number in E.164, the start time aware and not in the future (now when not given)."""
    notes = (call.get("notes") or "").strip()
    duration = call.get("duration_seconds", 0)
    _check(call["direction"], call["outcome"], duration, notes, caller_number=call["caller_number"], **texts)
    started_at = call.get("started_at") or now
    if timezone.is_naive(started_at):
        started_at = timezone.make_aware(started_at)  # in the desk's time zone, as the desk shows times
    if started_at > now + CLOCK_SKEW:
        raise InvalidInput("Invalid call", {"started_at": "not in the future"})
    line = call.get("line")
    return {**call, "notes": notes, "duration_seconds": duration, "started_at": min(started_at, now),
            "caller_number": caller_number_or_error(call["caller_number"], strict=line is None)}


def _write_call(issue: Issue, call: CallFields, *, actor: User | None, contact: Contact | None,
                now: datetime) -> Call:
    """The row, its `call_logged` event and what it does to the issue, in the caller's transaction."""
    row = Call.objects.create(
        issue=issue, direction=call["direction"], caller_number=call["caller_number"], contact=contact,
        duration_seconds=call["duration_seconds"], notes=call["notes"], outcome=call["outcome"], logged_by=actor,
        line=call.get("line"), external_id=call.get("external_id") or None,
        provider_status=call.get("provider_status", "")[:20], recording_url=call.get("recording_url", "")[:500],
        started_at=call["started_at"], created_at=now,
    )
    record_call_event(row, "logged", actor=actor, at=now)
    move_issue_for_call(issue, row, actor=actor, now=now)
    return row


def do_log_call(issue: Issue, *, actor: User | None, contact: Contact | None = None,
                is_caller_matched: bool = False, at: datetime | None = None, **call: Unpack[CallFields]) -> Call:
    """A call about an existing issue: the row and its `call_logged` event, and the issue moved
    like a reply would (`move_issue_for_call`). The caller is matched to a contact by number
    unless one is given (or `is_caller_matched` says the caller was looked up already and
    `contact` is the answer); a given contact of another customer than the issue's is refused."""
    now = at or timezone.now()
    checked = _read_call(call, now)
    if contact is None and not is_caller_matched:
        contact = match_caller(checked["caller_number"])
        if contact is not None and _elsewhere(issue, contact):
            contact = None  # the same number at another customer: not this issue's caller
    elif contact is not None and _elsewhere(issue, contact):
        raise InvalidInput("The contact belongs to another organization", {"contact_id": "not in this organization"})
    with transaction.atomic():
        return _write_call(issue, checked, actor=actor, contact=contact, now=now)


def do_open_issue_from_call(*, actor: User | None, title: str, description: str = "", severity: int = 3,
                            organization: Organization | None = None, contact: Contact | None = None,
                            is_caller_matched: bool = False, at: datetime | None = None,
                            **call: Unpack[CallFields]) -> Call:
    """A new issue on channel `phone`, its requester the caller (matched by number unless given;
    a given contact of another customer than `organization` is refused), with the call logged on
    it, in one transaction."""
    from tierline.issues.actions import do_create_issue

    now = at or timezone.now()
    checked = _read_call(call, now, title=title, description=description)
    if contact is None and not is_caller_matched:
        contact = match_caller(checked["caller_number"])
        if contact is not None and organization is not None and contact.organization_id not in (None, organization.pk):
            contact = None
    with transaction.atomic():
        issue = do_create_issue(
            actor=actor, title=title, description=description or checked["notes"], channel=Channel.PHONE,
            severity=severity, organization=organization, requester=contact, at=now,
        )
        return _write_call(issue, checked, actor=actor, contact=contact, now=now)


def _check_token(auth_token: str) -> None:
    if not auth_token.strip() or len(auth_token) > 200:
        raise InvalidInput("Invalid auth token", {"auth_token": "the provider's auth token, at most 200 characters"})


def do_create_phone_line(*, actor: User | None, slug: str, auth_token: str, provider: str = Provider.TWILIO,
                         organization: Organization | None = None) -> PhoneLine:
    """A line with the provider's auth token sealed, and its audit entry (who, which line)."""
    clean = slugify(slug)[:50]
    problems = {}
    if not clean:
        problems["slug"] = "required"
    if provider not in Provider.values:
        problems["provider"] = f"one of {', '.join(Provider.values)}"
    try:
        _check_token(auth_token)
    except InvalidInput as error:
        problems.update(error.fields)
    if problems:
        raise InvalidInput("Invalid phone line", problems)
    with transaction.atomic():
        if PhoneLine.objects.filter(slug=clean).exists():
            raise InvalidInput("A phone line with this name exists", {"slug": "already taken"})
        line = PhoneLine.objects.create(slug=clean, provider=provider, auth_token_sealed=seal_token(auth_token.strip()),
                                        organization=organization)
        do_record_audit(action=AuditAction.PHONE_LINE_CREATED, actor=actor, organization=organization, target=line,
                        data={"slug": line.slug, "provider": line.provider})
    return line


def do_set_phone_line_token(line: PhoneLine, *, actor: User | None, auth_token: str) -> PhoneLine:
    """After the provider's token was rotated (or the server's secret key changed); audited."""
    _check_token(auth_token)
    with transaction.atomic():
        line.auth_token_sealed = seal_token(auth_token.strip())
        line.save(update_fields=["auth_token_sealed"])
        do_record_audit(action=AuditAction.PHONE_LINE_TOKEN_CHANGED, actor=actor, organization=line.organization,
                        target=line, data={"slug": line.slug, "provider": line.provider})
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


# A report of a call not reported yet is read again after these delays (about an hour in all),
# and at once when its call arrives; after the last one it waits in the quarantine, still read
# again when the call arrives.
WAIT_SECONDS = (10, 30, 90, 270, 810, 2430)


def do_process_call_delivery(delivery_id: int) -> CallDelivery | None:
    """Read a stored delivery once: a new call joins or opens its caller's issue, a later report
    of the same call (CallSid) updates it; a retry is ignored; a report of a call not reported yet
    waits (WAIT_SECONDS); any failure quarantines it. The deliveries waiting for a call are read
    again as soon as it is reported."""
    from django.db import IntegrityError

    from tierline.errors import ActionError

    from .tasks import process_call_delivery
    from .webhook import CallNotReported, apply_delivery

    with transaction.atomic():
        # One reader at a time: a waiting delivery may be woken by its call and by its timer at once.
        delivery = (CallDelivery.objects.select_for_update(of=("self",)).select_related("line")
                    .filter(pk=delivery_id).first())
        if delivery is None or delivery.status in (InboundStatus.PROCESSED, InboundStatus.IGNORED):
            return delivery
        try:
            try:
                with transaction.atomic():
                    status, reason, call = apply_delivery(delivery)
            except IntegrityError:
                # Another report of the same new call won the race to create it: this one updates it.
                with transaction.atomic():
                    status, reason, call = apply_delivery(delivery)
        except CallNotReported as missing:
            delivery.waits += 1
            call = None
            if delivery.waits <= len(WAIT_SECONDS):
                status, delay = InboundStatus.PENDING, WAIT_SECONDS[delivery.waits - 1]
                reason = f"{missing} (read {delivery.waits} times)"
                transaction.on_commit(lambda: process_call_delivery.schedule((delivery.pk,), delay=delay))
            else:
                status = InboundStatus.QUARANTINED
                reason = f"{missing.waiting_for} {missing.call_sid} was never reported; this is read again when it is"
        except ActionError as error:
            status, reason, call = InboundStatus.QUARANTINED, f"{error.detail} {error.fields or ''}".strip(), None
        except Exception as error:  # noqa: BLE001 - anything unexpected is kept with its reason, not lost
            status, reason, call = InboundStatus.QUARANTINED, f"{type(error).__name__}: {error}", None
        delivery.status, delivery.reason, delivery.call = status, reason[:2000], call
        delivery.processed_at = None if status == InboundStatus.PENDING else timezone.now()
        delivery.save(update_fields=["status", "reason", "call", "processed_at", "waits"])
        if call is not None and delivery.call_sid:
            for pk in waiting_for_call(delivery):
                transaction.on_commit(lambda pk=pk: process_call_delivery(pk))
    return delivery


def do_process_waiting_deliveries() -> int:
    """Read again every delivery still waiting for a call reported since: a safety net for a
    wake-up lost on the way (the worker runs it with the contact index pass)."""
    waiting = waiting_with_their_call()
    for pk in waiting:
        do_process_call_delivery(pk)
    return len(waiting)
