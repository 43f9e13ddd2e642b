"""Every write of a conversation: keys, opening, customer messages, screenshots, presence.

Issue rows are written only through tierline.issues.actions (the conversation opens with
`do_create_issue`, messages are `do_add_comment`); `note_chat_comment` is called by
`do_add_comment` inside its transaction for every comment on a chat issue, and queues the live
push (and the email once the customer has left) for after the commit.
"""

import hashlib
import secrets as _random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tierline.audit.actions import AuditAction, do_record_audit
from tierline.customers.actions import do_create_contact
from tierline.customers.models import Contact, Organization
from tierline.errors import InvalidInput, PayloadTooLarge
from tierline.issues.actions import Upload, do_add_comment, do_create_issue
from tierline.issues.models import Channel, Comment, Issue

from .identity import VISITOR_EMAIL, Identity, IdentityRefused, new_key_id, new_salt
from .models import ChatKey, Conversation

MAX_MESSAGE = 5000
TITLE_LENGTH = 80
SCREENSHOT_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg", b"GIF8": "image/gif"}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Context:
    """What the widget saw when the customer wrote: kept on the conversation for the agent."""

    page_url: str = ""
    user_agent: str = ""
    app_version: str = ""
    client_ip: str | None = None


def do_create_chat_key(*, actor, organization: Organization | None = None, product: str = "") -> ChatKey:
    product = (product or "").strip()
    if len(product) > 100 or "\x00" in product:
        raise InvalidInput("Invalid product name", {"product": "at most 100 characters, no NUL"})
    with transaction.atomic():
        key = ChatKey.objects.create(key_id=new_key_id(), organization=organization, product=product,
                                     secret_salt=new_salt())
        do_record_audit(action=AuditAction.CHAT_KEY_CREATED, actor=actor, organization=organization, target=key,
                        data={"key_id": key.key_id, "product": product})
    return key


def do_rotate_chat_key(key: ChatKey, *, actor) -> ChatKey:
    """A new secret: identities signed with the old one stop verifying at once."""
    with transaction.atomic():
        key.secret_salt = new_salt()
        key.save(update_fields=["secret_salt"])
        do_record_audit(action=AuditAction.CHAT_KEY_ROTATED, actor=actor, organization=key.organization, target=key,
                        data={"key_id": key.key_id})
    return key


def do_revoke_chat_key(key: ChatKey, *, actor) -> ChatKey:
    """Identities signed with the key stop verifying at once; their conversations stay issues."""
    if not key.is_active:
        raise InvalidInput("This chat key is already revoked", {"key_id": "revoked"})
    with transaction.atomic():
        key.is_active = False
        key.save(update_fields=["is_active"])
        do_record_audit(action=AuditAction.CHAT_KEY_REVOKED, actor=actor, organization=key.organization,
                        target=key, data={"key_id": key.key_id, "product": key.product})
    return key


def _clean_body(body) -> str:
    body = (body or "").strip() if isinstance(body, str) else ""
    if not body:
        raise InvalidInput("A message needs some text", {"body": "required"})
    if len(body) > MAX_MESSAGE:
        raise InvalidInput("The message is too long", {"body": f"at most {MAX_MESSAGE} characters"})
    return body


def _contact_for(identity: Identity) -> Contact:
    contact = Contact.objects.filter(email=identity.email).first()
    if contact is None:
        return do_create_contact(email=identity.email, name=identity.name, organization=identity.organization)
    if contact.organization_id not in (None, identity.organization.pk):
        # The signed organization must own the address: a product key cannot borrow another
        # organization's contact (and with it, that contact's history).
        raise IdentityRefused("the identity's email belongs to a contact of another organization")
    return contact


def visitor_contact() -> Contact:
    """The requester of every anonymous conversation: one contact, made on first use, so that a
    visitor's messages count as the customer's without a row per visitor. It belongs to no
    organization, its .invalid address never receives mail, no signed identity may claim it
    (identity.py), and it writes nothing on a chat issue except through the widget."""
    contact = Contact.objects.filter(email=VISITOR_EMAIL).first()
    if contact is not None:
        return contact
    try:
        with transaction.atomic():
            return do_create_contact(email=VISITOR_EMAIL, name="Anonymous visitor")
    except (IntegrityError, InvalidInput):  # another conversation made it a moment ago
        return Contact.objects.get(email=VISITOR_EMAIL)


def do_open_conversation(*, identity: Identity | None, body: str, context: Context,
                         at: datetime | None = None) -> tuple[Conversation, str]:
    """The first message opens an issue on channel `chat`; returns the conversation and the
    random token that resumes it (only its hash is stored)."""
    body = _clean_body(body)
    now = at or timezone.now()
    first_line = body.splitlines()[0]
    title = first_line if len(first_line) <= TITLE_LENGTH else first_line[: TITLE_LENGTH - 1] + "…"
    token = _random.token_urlsafe(24)
    with transaction.atomic():
        contact = _contact_for(identity) if identity else visitor_contact()
        issue = do_create_issue(
            actor=None, title=title, description=body, channel=Channel.CHAT, requester=contact,
            organization=identity.organization if identity else None, at=now,
        )
        conversation = Conversation.objects.create(
            issue=issue, token_hash=token_hash(token), is_verified=identity is not None,
            external_user_id=identity.user_id if identity else "",
            chat_key=identity.chat_key if identity else None,
            page_url=context.page_url[:2000], user_agent=context.user_agent[:500],
            app_version=context.app_version[:100], client_ip=context.client_ip,
            waiting_since=now, sockets_open=0, customer_seen_at=now, created_at=now,
        )
        from .delivery import publish_conversation_changed

        transaction.on_commit(lambda: publish_conversation_changed(issue.pk))
    return conversation, token


def do_add_customer_message(conversation: Conversation, *, body: str = "",
                            attachments: tuple[Upload, ...] = ()) -> Comment:
    if not attachments or body:
        body = _clean_body(body)
    issue = conversation.issue
    return do_add_comment(issue, body=body or "(screenshot)", is_public=True, author_contact=issue.requester,
                          channel=Channel.CHAT, attachments=attachments)


def check_screenshot(content: bytes, limit: int) -> str:
    """The image type of an uploaded screenshot, or an error for anything else or too big."""
    if len(content) > limit:
        raise PayloadTooLarge(f"The screenshot is {len(content)} bytes; the limit is {limit}",
                              {"screenshot": f"over {limit} bytes"})
    for magic, content_type in SCREENSHOT_TYPES.items():
        if content.startswith(magic):
            return content_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    raise InvalidInput("A screenshot is a PNG, JPEG, GIF or WebP image", {"screenshot": "not an image"})


def note_chat_comment(issue: Issue, comment: Comment, *, is_customer: bool, notify: bool,
                      attachments: Sequence = ()) -> None:
    """Called by do_add_comment inside its transaction for a comment on a chat issue: keep who is
    waiting up to date, then push the message (and maybe email it) once committed. One read of the
    conversation's state, one write when the waiting turn changes; the pushed message is built from
    the comment at hand."""
    from .delivery import Presence, deliver_message, message_event, send_email

    if comment.author_contact is not None and comment.author_contact.email == VISITOR_EMAIL \
            and comment.channel != Channel.CHAT:
        # Anyone can claim the shared visitor's address in a mail's From line; only the widget
        # (which holds the conversation) speaks for a visitor.
        raise InvalidInput("An anonymous chat visitor writes only through the chat widget",
                           {"author_contact": "anonymous visitor"})
    state = next(iter(Conversation.objects.filter(issue_id=issue.pk).values_list(
        "pk", "is_verified", "waiting_since", "sockets_open", "customer_seen_at")[:1]), None)  # one per issue
    replied = notify and comment.is_public and not is_customer
    if state is None:  # a chat issue filed some other way (API, import): mail as usual
        if replied and issue.requester_id:
            transaction.on_commit(lambda: send_email(comment.pk))
        return
    conversation_id, is_verified, waiting_since, sockets_open, seen_at = state
    if comment.is_public and (waiting_since is None) == is_customer:
        # The customer's turn starts with their first unanswered message and ends with a public reply.
        Conversation.objects.filter(pk=conversation_id).update(
            waiting_since=comment.created_at if is_customer else None)
    event = message_event(comment, issue.key, attachments)
    email = Presence(sockets_open, seen_at) if replied and is_verified else None
    transaction.on_commit(lambda: deliver_message(issue.pk, conversation_id, event, email_if_away=email))


def do_record_presence(conversation_id: int, *, sockets: int = 0) -> None:
    """A widget socket opened (+1), closed (-1) or said it is still there (0)."""
    changes = {"customer_seen_at": timezone.now()}
    if sockets:
        changes["sockets_open"] = F("sockets_open") + sockets
    Conversation.objects.filter(pk=conversation_id).update(**changes)
