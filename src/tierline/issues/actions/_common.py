"""What every write to an issue shares: the checks of its fields, a timeline entry, stored
attachments and the status change with its clocks and events."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files.base import ContentFile

from tierline.accounts.models import User
from tierline.customers.models import Contact
from tierline.errors import InvalidInput, PayloadTooLarge

from ..models import (
    DONE_STATUSES,
    Attachment,
    Comment,
    EventKind,
    Issue,
    IssueEvent,
    Priority,
)
from ..signals import send_events_recorded

DEFAULT_PRIORITY_FOR_SEVERITY = {1: Priority.P0, 2: Priority.P1, 3: Priority.P2, 4: Priority.P3}
MAX_TITLE = 300


@dataclass(frozen=True)
class Upload:
    """A file to attach, detached from how it arrived (form upload, API, email)."""

    filename: str
    content_type: str
    content: bytes


def _check_uploads(uploads: Sequence[Upload]) -> None:
    limit = settings.MAX_ATTACHMENT_BYTES
    for upload in uploads:
        if len(upload.content) > limit:
            raise PayloadTooLarge(
                f"Attachment {upload.filename!r} is {len(upload.content)} bytes; the limit is {limit}",
                {"attachments": f"over {limit} bytes"},
            )


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise InvalidInput("An issue needs a title", {"title": "required"})
    if len(title) > MAX_TITLE:
        raise InvalidInput("Title is too long", {"title": f"at most {MAX_TITLE} characters"})
    return title


def _check_choice(field: str, value, choices) -> None:
    if value not in choices.values:
        allowed = ", ".join(str(v) for v in choices.values)
        raise InvalidInput(f"Invalid {field}", {field: f"one of {allowed}"})


def _check_tier(tier: int) -> None:
    if not isinstance(tier, int) or not 1 <= tier <= 5:
        raise InvalidInput("Invalid tier", {"tier": "between 1 and 5"})


def _record(issue: Issue, kind: str, *, actor: User | None = None, actor_contact: Contact | None = None,
            comment: Comment | None = None, at: datetime, **data) -> IssueEvent:
    event = IssueEvent.objects.create(
        issue=issue, kind=kind, actor=actor, actor_contact=actor_contact, comment=comment,
        data=data, created_at=at,
    )
    send_events_recorded(Issue, [event])
    return event


def _store_attachments(issue: Issue, comment: Comment | None, uploads: Sequence[Upload], at: datetime,
                       actor: User | None, actor_contact: Contact | None) -> list[Attachment]:
    stored = []
    for upload in uploads:
        attachment = Attachment(
            issue=issue, comment=comment, filename=upload.filename[:255],
            content_type=upload.content_type[:100] or "application/octet-stream",
            size=len(upload.content), created_at=at,
        )
        attachment.file.save(upload.filename[:100], ContentFile(upload.content), save=False)
        attachment.save()
        _record(issue, EventKind.ATTACHMENT_ADDED, actor=actor, actor_contact=actor_contact,
                comment=comment, at=at, filename=attachment.filename, size=attachment.size)
        stored.append(attachment)
    return stored


def _ref(obj) -> dict | None:
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None



def _set_status(issue: Issue, status: str, actor: User | None, actor_contact: Contact | None,
                now: datetime, update_fields: list[str], record=_record) -> None:
    previous = issue.status
    if previous == status:
        return
    issue.status = status
    update_fields.append("status")
    if status in DONE_STATUSES and issue.resolved_at is None:
        issue.resolved_at = now
        update_fields.append("resolved_at")
    reopened = previous in DONE_STATUSES and status not in DONE_STATUSES
    if reopened:
        issue.resolved_at = None
        update_fields.append("resolved_at")
    kind = EventKind.REOPENED if reopened else EventKind.STATUS_CHANGED
    record(issue, kind, actor=actor, actor_contact=actor_contact, at=now, **{"from": previous, "to": status})
