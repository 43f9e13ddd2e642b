"""Reads for calls: the calls of an issue, the phone lines, callers matched to contacts."""

from django.db.models import QuerySet

from tierline.accounts.permissions import has_perm
from tierline.customers.models import Contact
from tierline.errors import PermissionDenied
from tierline.issues.models import DONE_STATUSES, Channel, Issue

from .models import Call, PhoneLine
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


def find_contact_by_number(number: str) -> Contact | None:
    """The contact whose phone number is this one, however either was written. Contacts keep
    their numbers as typed, so each is read again; the oldest contact wins a shared number."""
    wanted = normalise_number(number)
    if wanted is None:
        return None
    digits = wanted[-4:]
    for contact in (Contact.objects.exclude(phone="").select_related("organization")
                    .order_by("created_at", "id").iterator()):
        # Cheap test first: the last digits appear in any way of writing the number.
        if digits[-1] in contact.phone and normalise_number(contact.phone) == wanted:
            return contact
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
