"""Replies and notes on an issue (`do_add_comment`, with the status and clocks a reply moves) and
the record of an email sent about it."""

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from tierline.accounts.models import User
from tierline.customers.models import Contact
from tierline.errors import InvalidInput, NotFound

from ..models import (
    Channel,
    Comment,
    EventKind,
    Issue,
    IssueEvent,
    Status,
    format_issue_key,
)
from ._common import Upload, _check_choice, _check_uploads, _record, _set_status, _store_attachments

# What do_add_comment and the SLA clocks need of the issue it locks.
COMMENT_ISSUE_FIELDS = ("channel", "status", "priority", "requester", "created_at", "updated_at", "first_response_at",
                        "resolved_at", "organization__plan")


def do_add_comment(
    issue: Issue,
    *,
    body: str,
    is_public: bool,
    author: User | None = None,
    author_contact: Contact | None = None,
    channel: str = Channel.PORTAL,
    attachments: Sequence[Upload] = (),
    notify: bool = True,
    at: datetime | None = None,
) -> Comment:
    """A public reply or an internal note. Replies move the issue the way a desk expects:
    the first staff reply counts as the first response; a customer's reply reopens a
    pending or resolved issue. A staff reply is emailed to the requester unless `notify` is off
    (history imports). Replies start and stop the SLA clocks (tierline.escalation.clocks)."""
    from tierline.escalation.clocks import sync_sla_clocks

    body = (body or "").strip()
    if not body and not attachments:
        raise InvalidInput("A comment needs a body", {"body": "required"})
    _check_choice("channel", channel, Channel)
    is_customer = author_contact is not None or (author is not None and author.is_customer)
    if is_customer and not is_public:
        raise InvalidInput("Customers cannot write internal notes", {"is_public": "must be true"})
    if is_customer and author_contact is None:
        author_contact = getattr(author, "contact", None)
    _check_uploads(attachments)
    now = at or timezone.now()
    with transaction.atomic():
        # Only the columns a reply reads or writes (the organization's plan for the SLA clocks rides
        # along): a chat reply runs this on every message, and building the full row's SQL cost more
        # than the rest of the read.
        try:
            issue = (Issue.objects.select_for_update(of=("self",)).select_related("organization")
                     .only(*COMMENT_ISSUE_FIELDS).get(pk=issue.pk))
        except Issue.DoesNotExist:
            raise NotFound(f"Issue {format_issue_key(issue.pk)} not found") from None
        comment = Comment.objects.create(
            issue=issue, author=author, author_contact=author_contact, body=body,
            is_public=is_public, channel=channel, created_at=now,
        )
        kind = EventKind.COMMENTED if is_public else EventKind.NOTE_ADDED
        _record(issue, kind, actor=author, actor_contact=author_contact, comment=comment, at=now,
                is_public=is_public)
        stored = _store_attachments(issue, comment, attachments, now, author, author_contact)
        update_fields = ["updated_at"]
        issue.updated_at = now
        if is_public and not is_customer:
            if issue.first_response_at is None:
                issue.first_response_at = now
                update_fields.append("first_response_at")
            if issue.status == Status.NEW:
                _set_status(issue, Status.OPEN, author, None, now, update_fields)
        elif is_customer and issue.status in (Status.PENDING, Status.RESOLVED):
            _set_status(issue, Status.OPEN, None, author_contact, now, update_fields)
        issue.save(update_fields=update_fields)
        sync_sla_clocks(issue, now, reply=("customer" if is_customer else "staff") if is_public else None)
        if issue.channel == Channel.CHAT:
            # A conversation shows replies in the open widget and mails them once the customer left.
            from tierline.conversations.actions import note_chat_comment

            note_chat_comment(issue, comment, is_customer=is_customer, notify=notify, attachments=stored)
        elif notify and is_public and not is_customer and issue.requester_id:
            from ..tasks import notify_requester_of_reply

            transaction.on_commit(lambda: notify_requester_of_reply(comment.pk))
    return comment



def do_record_notification(issue: Issue, *, comment: Comment | None, recipient: str,
                           message_id: str) -> IssueEvent:
    with transaction.atomic():
        return _record(issue, EventKind.NOTIFIED, comment=comment, at=timezone.now(),
                       recipient=recipient, message_id=message_id)
