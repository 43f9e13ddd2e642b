"""Getting messages where they are read: the open widget and desk pages (over the channel layer),
or the customer's mailbox once they have left.

Groups: `chat.conversation.<id>` (the widget sockets of one conversation), `chat.issue.<issue id>`
(desk pages showing that issue) and `chat.desk` (the live conversations queue). Publishing never
fails a write: a broken channel layer is logged, and the message is still in the issue.
"""

import asyncio
import logging
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.utils import timezone

from tierline.issues.models import Comment

from .models import Conversation

log = logging.getLogger(__name__)
DESK_GROUP = "chat.desk"


def conversation_group(conversation_id: int) -> str:
    return f"chat.conversation.{conversation_id}"


def issue_group(issue_id: int) -> str:
    return f"chat.issue.{issue_id}"


_server_loop: asyncio.AbstractEventLoop | None = None


def remember_server_loop() -> None:
    """Called by the consumers: the event loop that serves this process's websockets."""
    global _server_loop
    _server_loop = asyncio.get_running_loop()


def publish(group: str, event: dict) -> None:
    layer = get_channel_layer()
    loop = _server_loop
    try:
        if loop is not None and loop.is_running():
            # Sync code (views, actions) runs in worker threads. The in-memory layer's queues belong
            # to the server's loop and are not thread-safe, so the send runs on that loop.
            asyncio.run_coroutine_threadsafe(layer.group_send(group, event), loop).result(timeout=10)
        else:
            async_to_sync(layer.group_send)(group, event)
    except Exception:  # the message is stored; only the live copy is lost
        log.exception("could not publish to %s", group)


def message_event(comment: Comment, issue_key: str | None = None) -> dict:
    """One message as the widget and the desk pages show it. It goes to every watching page at once,
    so the customer's name stays out (staff see it unmasked only through customers/masking.py)."""
    from_customer = comment.author_id is None and comment.author_contact_id is not None
    return {
        "id": comment.pk, "issue": issue_key or comment.issue.key, "body": comment.body,
        "from": "customer" if from_customer else "agent",
        "author": "Customer" if from_customer else comment.author_name,
        "at": comment.created_at.isoformat(), "internal": not comment.is_public,
        "attachments": [a.filename for a in comment.attachments.all()],
    }


def publish_conversation_changed(issue_id: int) -> None:
    publish(DESK_GROUP, {"type": "queue.changed", "issue_id": issue_id})


def deliver_comment(comment_id: int, *, notify: bool) -> None:
    """After a comment on a chat issue is committed: to the desk, to the widget if public, and
    an agent's reply by email when the customer has left (or leaves without coming back)."""
    comment = (Comment.objects.select_related("author", "author_contact", "issue")
               .prefetch_related("attachments").filter(pk=comment_id).first())
    if comment is None:
        return
    conversation = Conversation.objects.filter(issue_id=comment.issue_id).first()
    if conversation is None:  # a chat issue filed some other way (API, import): mail as usual
        if notify and comment.is_public and comment.issue.requester_id:
            _send_email(comment)
        return
    event = message_event(comment)
    publish(issue_group(comment.issue_id), {"type": "chat.message", "message": event})
    publish_conversation_changed(comment.issue_id)
    if not comment.is_public:
        return
    publish(conversation_group(conversation.pk), {"type": "chat.message", "message": event})
    if notify and conversation.is_verified:
        email_when_away(conversation, comment)


def away_after(conversation: Conversation):
    return conversation.customer_seen_at + timedelta(minutes=settings.CHAT_AWAY_MINUTES)


def email_when_away(conversation: Conversation, comment: Comment) -> None:
    from .tasks import email_reply_if_still_away

    now = timezone.now()
    if conversation.sockets_open > 0 and away_after(conversation) > now:
        return  # a widget is open: the reply was shown live
    if away_after(conversation) <= now:
        _send_email(comment)
    else:
        # Left a moment ago: they may come back and read it there; if not, mail it then.
        email_reply_if_still_away.schedule((comment.pk,), eta=away_after(conversation))


def _send_email(comment: Comment) -> None:
    from tierline.issues.tasks import notify_requester_of_reply

    notify_requester_of_reply(comment.pk)
