"""Reads for calls: the calls of an issue, the phone lines, callers matched to contacts."""

from django.db.models import Exists, OuterRef, QuerySet

from tierline.accounts.permissions import has_perm
from tierline.customers.models import Contact
from tierline.errors import PermissionDenied
from tierline.intake.models import InboundStatus
from tierline.issues.models import DONE_STATUSES, Channel, Issue

from .models import Call, CallDelivery, ContactNumber, PhoneLine
from .numbers import normalise_number


def list_calls(user, issue: Issue) -> QuerySet:
    """The calls of an issue the user may already see. Call notes are staff's working notes:
    customers are refused (their own organization's issue) before they get here or 404."""
    if not has_perm(user, "call.view"):
        raise PermissionDenied("Only staff can see calls")
    return issue.calls.select_related("contact", "logged_by").order_by("started_at", "id")


def list_phone_lines(user) -> QuerySet:
    if not has_perm(user, "phone_line.manage"):
        raise PermissionDenied("Only admins manage phone lines")
    return PhoneLine.objects.all()


def find_phone_line(slug: str) -> PhoneLine | None:
    return PhoneLine.objects.filter(slug=slug[:50], is_active=True).first()


def contacts_to_index() -> QuerySet:
    """Contacts never read (those without a number too, so that the highest id read says which
    contacts are new), or whose number changed since (see ContactNumber)."""
    indexed = ContactNumber.objects.filter(contact=OuterRef("pk"), typed=OuterRef("phone"))
    return Contact.objects.exclude(Exists(indexed)).order_by("pk")


def find_contact_by_number(number: str) -> Contact | None:
    """The contact whose phone number is this one, however either was written (the oldest wins a
    shared number). Reads the ContactNumber index: actions bring it up to date first
    (`actions.match_caller`)."""
    wanted = normalise_number(number)
    if wanted is None:
        return None
    for row in (ContactNumber.objects.filter(number=wanted).select_related("contact__organization")
                .order_by("contact__created_at", "contact_id")):
        if row.contact.phone == row.typed:  # not changed since it was read
            return row.contact
    return None


def find_open_conversation(contact: Contact | None, number: str) -> Issue | None:
    """The open phone issue of this caller (by contact, else by number): a new call joins it."""
    issues = Issue.objects.filter(channel=Channel.PHONE).exclude(status__in=DONE_STATUSES)
    if contact is not None:
        issues = issues.filter(requester=contact)
    else:
        issues = issues.filter(requester__isnull=True, calls__caller_number=number)
    return issues.order_by("-updated_at", "-id").first()


def get_call(pk: int) -> Call | None:
    return Call.objects.select_related("issue", "contact", "logged_by").filter(pk=pk).first()


def stored_reports(line: PhoneLine, call_sid: str, *, exclude: int | None = None) -> list[bytes]:
    """The bodies of a line's deliveries filed under a call (its own reports and its <Dial> legs'),
    oldest first, whatever became of them: what one leg of a call tells about the other."""
    rows = CallDelivery.objects.filter(line=line, call_sid=call_sid).exclude(pk=exclude).order_by("id")
    return [bytes(raw) for raw in rows.values_list("raw", flat=True)[:50]]


def waiting_for_call(delivery: CallDelivery) -> list[int]:
    """Other deliveries of the same call (CallSid) that came before it was reported."""
    return list(CallDelivery.objects.filter(
        call_sid=delivery.call_sid, waits__gt=0, status__in=[InboundStatus.PENDING, InboundStatus.QUARANTINED],
    ).exclude(pk=delivery.pk).values_list("pk", flat=True))


def waiting_with_their_call(limit: int = 500) -> list[int]:
    """Deliveries still waiting for a call that has been reported since (their wake-up was lost)."""
    reported = Call.objects.filter(external_id=OuterRef("call_sid"))
    return list(CallDelivery.objects.filter(
        waits__gt=0, status__in=[InboundStatus.PENDING, InboundStatus.QUARANTINED],
    ).filter(Exists(reported)).order_by("id").values_list("pk", flat=True)[:limit])
