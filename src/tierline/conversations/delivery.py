"""Getting messages where they are read: the open widget and desk pages (over the channel layer),
or the customer's mailbox once they have left.

Groups: `chat.conversation.<id>` (the widget sockets of one conversation), `chat.issue.<issue id>`
(desk pages showing that issue) and `chat.desk` (the live conversations queue). Publishing never
fails a write: a broken channel layer is logged, and the message is still in the issue. The push
comes first; the email decision (a task for the worker) after it.
"""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import timezone

from tierline.issues.models import Comment

log = logging.getLogger(__name__)
DESK_GROUP = "chat.desk"


def conversation_group(conversation_id: int) -> str:
    return f"chat.conversation.{conversation_id}"


def issue_group(issue_id: int) -> str:
    return f"chat.issue.{issue_id}"


_server_loop: asyncio.AbstractEventLoop | None = None
_last_send: asyncio.Future | None = None


def remember_server_loop() -> None:
    """Called by the consumers: the event loop that serves this process's websockets."""
    global _server_loop
    _server_loop = asyncio.get_running_loop()


async def _send(messages: tuple[tuple[str, dict], ...]) -> None:
    layer = get_channel_layer()
    for group, event in messages:
        try:
            await layer.group_send(group, event)
        except Exception:  # the message is stored; only the live copy is lost
            log.exception("could not publish to %s", group)


async def _send_after(previous: asyncio.Future | None, messages) -> None:
    if previous is not None:
        await asyncio.wait([previous])
    await _send(messages)


def _queue_send(messages) -> None:
    """On the server's loop: each publication starts once the one before it is sent, so the messages
    of a conversation arrive in the order they were written, whatever the channel layer."""
    global _last_send
    _last_send = asyncio.ensure_future(_send_after(_last_send if _last_send and not _last_send.done() else None,
                                                   messages))


def publish(*messages: tuple[str, dict]) -> None:
    """Send (group, event) pairs, in this order. Sync code (views, actions) runs in worker threads,
    while the in-memory layer's queues belong to the server's loop and are not thread-safe: the
    sends are handed to that loop, and the writing thread goes on without waiting for them."""
    loop = _server_loop
    if loop is not None and loop.is_running():
        try:
            loop.call_soon_threadsafe(_queue_send, messages)
        except RuntimeError:  # the server is shutting down; the message is stored
            log.warning("not published (the server is stopping): %s", ", ".join(g for g, _ in messages))
    else:  # no websocket server in this process (the worker, a command): send from here
        try:
            async_to_sync(_send)(messages)
        except RuntimeError:  # this thread runs an event loop of its own: the message is stored
            log.exception("not published: %s", ", ".join(g for g, _ in messages))


def message_event(comment: Comment, issue_key: str | None = None, attachments=None) -> dict:
    """One message as the widget and the desk pages show it. It goes to every watching page at once,
    so the customer's name stays out (staff see it unmasked only through customers/masking.py).
    `attachments`: the comment's, when the caller holds them (no query)."""
    from_customer = comment.author_id is None and comment.author_contact_id is not None
    return {
        "id": comment.pk, "issue": issue_key or comment.issue.key, "body": comment.body,
        "from": "customer" if from_customer else "agent",
        "author": "Customer" if from_customer else comment.author_name,
        "at": comment.created_at.isoformat(), "internal": not comment.is_public,
        "attachments": [a.filename for a in (comment.attachments.all() if attachments is None else attachments)],
    }


def queue_changed(issue_id: int) -> tuple[str, dict]:
    return DESK_GROUP, {"type": "queue.changed", "issue_id": issue_id}


def publish_conversation_changed(issue_id: int) -> None:
    publish(queue_changed(issue_id))


@dataclass(frozen=True)
class Presence:
    """The customer's presence as the reply was written: decides between live only and email."""

    sockets_open: int
    customer_seen_at: datetime


def deliver_message(issue_id: int, conversation_id: int, event: dict, *, email_if_away: Presence | None) -> None:
    """After a message on a conversation is committed: to the open widget (public messages), the desk
    pages showing the issue and the live queue; then, for an agent's reply to a verified customer,
    email once the customer has left. Built from what the action held: no query before the push."""
    messages = [(issue_group(issue_id), {"type": "chat.message", "message": event}), queue_changed(issue_id)]
    if not event["internal"]:
        messages.insert(0, (conversation_group(conversation_id), {"type": "chat.message", "message": event}))
    publish(*messages)
    if email_if_away is not None:
        email_when_away(event["id"], email_if_away)


def away_after(seen_at: datetime) -> datetime:
    return seen_at + timedelta(minutes=settings.CHAT_AWAY_MINUTES)


def email_when_away(comment_id: int, presence: Presence) -> None:
    from .tasks import email_reply_if_still_away

    now = timezone.now()
    leaves_at = away_after(presence.customer_seen_at)
    if presence.sockets_open > 0 and leaves_at > now:
        return  # a widget is open: the reply was shown live
    if leaves_at <= now:
        send_email(comment_id)
    else:
        # Left a moment ago: they may come back and read it there; if not, mail it then.
        email_reply_if_still_away.schedule((comment_id,), eta=leaves_at)


def send_email(comment_id: int) -> None:
    """The issues app's reply mail, queued for the worker."""
    from tierline.issues.tasks import notify_requester_of_reply

    notify_requester_of_reply(comment_id)
