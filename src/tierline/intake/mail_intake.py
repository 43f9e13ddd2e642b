"""Processing one stored email: noise filters, loop throttling, threading, then a new issue or
a comment on an existing one. Called by `actions.do_process_message` inside its transaction."""

import re
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from tierline.accounts.models import User
from tierline.customers.actions import do_create_contact
from tierline.customers.models import Contact
from tierline.errors import InvalidInput
from tierline.issues.actions import Upload, do_add_comment, do_create_issue
from tierline.issues.models import Channel, EventKind, Issue, IssueEvent

from .actions import _finish, do_remember_mail_id, received_since
from .mail import ISSUE_KEY_RE, ParsedMail, parse_mail, strip_quoted
from .models import InboundKind, InboundMessage, InboundStatus, MailDirection, MailThreadId


def process_email(message: InboundMessage) -> None:
    parsed = parse_mail(bytes(message.raw))
    fields = {"sender": parsed.sender[:320], "subject": parsed.subject[:300], "message_id": parsed.message_id}
    for name, value in fields.items():
        setattr(message, name, value)
    if parsed.noise == "bounce":
        issue = _issue_for_ids(parsed.bounced_message_ids)
        if issue is None:
            return _finish(message, InboundStatus.IGNORED, "bounce of mail we did not send", **fields)
        IssueEvent.objects.create(
            issue=issue, kind=EventKind.MAIL_BOUNCED, created_at=timezone.now(),
            data={"message_ids": parsed.bounced_message_ids[:5], "inbound_message": message.pk,
                  "summary": parsed.text[:300]},
        )
        return _finish(message, InboundStatus.PROCESSED, "bounce recorded on the issue", issue=issue, **fields)
    if parsed.noise:
        return _finish(message, InboundStatus.IGNORED, parsed.noise, **fields)
    if not parsed.sender:
        raise InvalidInput("The message has no sender address", {"from": "missing"})
    if parsed.sender in settings.INTAKE_ADDRESSES or parsed.sender == settings.DEFAULT_FROM_EMAIL.lower():
        return _finish(message, InboundStatus.IGNORED, "sent from our own address (mail loop)", **fields)
    if parsed.message_id:
        # Looked up by sender (a copy of a mail has the same one; that column is indexed, and the
        # status is checked here so the database does not pick the status index instead).
        copies = (InboundMessage.objects.filter(sender=parsed.sender, message_id=parsed.message_id)
                  .exclude(pk=message.pk).values_list("pk", "kind", "status").order_by("pk"))
        earlier = next((pk for pk, kind, status in copies
                        if kind == InboundKind.EMAIL and status == InboundStatus.PROCESSED), None)
        if earlier is not None:
            return _finish(message, InboundStatus.IGNORED, f"already received as message {earlier}", **fields)
    recent = received_since(parsed.sender, timezone.now() - timedelta(hours=1))
    if recent >= settings.MAIL_LOOP_LIMIT:
        raise InvalidInput(f"Mail loop suspected: {recent} messages from {parsed.sender} in an hour",
                           {"from": "throttled"})

    staff = User.objects.filter(email=parsed.sender, is_active=True).exclude(role="customer").first()
    contact = None if staff else _contact_for(parsed)
    uploads, refused = _uploads(parsed)
    issue = _thread_issue(parsed, contact, staff)
    if issue is not None:
        body = strip_quoted(parsed.text) + refused
        comment = do_add_comment(issue, body=body, is_public=True, author=staff, author_contact=contact,
                                 channel=Channel.EMAIL, attachments=uploads)
        do_remember_mail_id(message_id=parsed.message_id, issue=issue, comment=comment, direction=MailDirection.IN)
        return _finish(message, InboundStatus.PROCESSED, "", issue=issue, comment=comment, **fields)
    issue = do_create_issue(
        actor=staff, title=parsed.subject or "(no subject)", description=parsed.text + refused,
        channel=Channel.EMAIL, requester=contact, attachments=uploads,
    )
    do_remember_mail_id(message_id=parsed.message_id, issue=issue, comment=None, direction=MailDirection.IN)
    _finish(message, InboundStatus.PROCESSED, "", issue=issue, **fields)


def _contact_for(parsed: ParsedMail) -> Contact:
    contact = Contact.objects.filter(email=parsed.sender).first()
    if contact is None:
        # The organization comes from the sender's domain where one is configured.
        contact = do_create_contact(email=parsed.sender, name=parsed.sender_name)
    return contact


def _uploads(parsed: ParsedMail) -> tuple[list[Upload], str]:
    """Attachments within the size limit; a note naming those left in the raw message."""
    limit = settings.MAX_ATTACHMENT_BYTES
    uploads, refused = [], []
    for part in parsed.attachments:
        if len(part.content) > limit:
            refused.append(f"{part.filename} ({len(part.content)} bytes)")
        else:
            uploads.append(Upload(filename=part.filename, content_type=part.content_type, content=part.content))
    note = f"\n\n[Attachments over the {limit}-byte limit, kept in the original message: {', '.join(refused)}]"
    return uploads, note if refused else ""


def _issue_for_ids(message_ids: list[str]) -> Issue | None:
    if not message_ids:
        return None
    found = {t.message_id: t for t in MailThreadId.objects.filter(message_id__in=message_ids).select_related("issue")}
    for message_id in message_ids:
        if message_id in found:
            return found[message_id].issue
    return None


def _thread_issue(parsed: ParsedMail, contact: Contact | None, staff: User | None) -> Issue | None:
    """The issue this mail answers: by the ids it replies to, else by `[TL-42]` in the subject
    when the sender may write on that issue (staff, or someone of the issue's organization)."""
    issue = _issue_for_ids(parsed.thread_ids)
    if issue is not None:
        return issue
    for match in re.finditer(ISSUE_KEY_RE, parsed.subject):
        if match["prefix"].upper() != settings.ISSUE_KEY_PREFIX.upper():
            continue
        issue = Issue.objects.filter(pk=int(match["number"])).first()
        if issue is None:
            continue
        if staff is not None or (contact is not None and (
                issue.requester_id == contact.pk
                or (issue.organization_id and issue.organization_id == contact.organization_id))):
            return issue
    return None
