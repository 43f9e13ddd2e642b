"""The websockets: the widget's (`/ws/chat/`) and the desk's (`/ws/desk/`).

Widget protocol, JSON frames. The widget starts with
    {"type": "hello", "identity": "<signed identity or empty>", "conversation": "<resume token or empty>",
     "page_url": "...", "app_version": "..."}
and gets {"type": "welcome", "verified": bool, "refused": "<reason>"|null, "name": str, "key": "TL-42"|null,
"messages": [...], "upload_ticket": str|null}. It then sends {"type": "message", "body": "..."} (the first
opens the conversation: {"type": "opened", "key", "conversation": token, "upload_ticket"}) and
{"type": "ping"} every 30 s; it receives {"type": "message", "message": {...}} for every public message,
its own included, and {"type": "error", "detail": "..."}.

The widget socket accepts any origin (the company's product is another site) and trusts no cookie:
who the user is comes only from the signed identity. The desk socket is same-origin, staff only.
Database work runs on the chat pool (pool.py), never on Channels' single database thread.
"""

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core import signing

from tierline.accounts.permissions import can_view_issue, is_staff_member
from tierline.errors import ActionError
from tierline.issues.models import Issue

from . import actions, queries
from .delivery import DESK_GROUP, conversation_group, issue_group, remember_server_loop
from .identity import IdentityRefused, verify_identity
from .pool import on_pool
from .throttle import is_over_anonymous_limit

UPLOAD_SALT = "tierline.conversations.upload"


def upload_ticket(conversation_id: int) -> str:
    """Lets the widget attach a screenshot to this conversation over HTTP (checked in views.py)."""
    return signing.dumps({"conversation": conversation_id}, salt=UPLOAD_SALT, compress=True)


def _client_ip(scope) -> str | None:
    if settings.TRUST_FORWARDED_FOR:
        for name, value in scope.get("headers", []):
            if name == b"x-forwarded-for":
                return value.decode("latin-1").split(",")[0].strip() or None
    client = scope.get("client")
    return client[0] if client else None


def _header(scope, wanted: bytes) -> str:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return value.decode("latin-1")
    return ""


def _text(content: dict, name: str, limit: int) -> str:
    value = content.get(name)
    return value[:limit] if isinstance(value, str) else ""


class _PoolConsumer(AsyncJsonWebsocketConsumer):
    async def dispatch(self, message):
        # Channels sends every message through its single database thread first, to close that
        # thread's stale connections: a thread hop per frame, for a thread these consumers never use
        # (their database work runs on the chat pool, whose threads tidy their own connections).
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


class ChatConsumer(_PoolConsumer):
    conversation = None
    identity = None
    greeted = False

    async def connect(self):
        remember_server_loop()
        self.context = actions.Context(user_agent=_header(self.scope, b"user-agent")[:500],
                                       client_ip=_client_ip(self.scope))
        await self.accept()

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "hello" and not self.greeted:
            await self._hello(content)
        elif kind == "message" and self.greeted:
            await self._message(content)
        elif kind == "ping":
            if self.conversation is not None:
                await on_pool(actions.do_record_presence)(self.conversation.pk)
        else:
            await self.send_json({"type": "error", "detail": "say hello first, then send messages"})

    async def decode_json(self, text_data):
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def _hello(self, content):
        self.greeted = True
        self.context = actions.Context(page_url=_text(content, "page_url", 2000),
                                       app_version=_text(content, "app_version", 100),
                                       user_agent=self.context.user_agent, client_ip=self.context.client_ip)
        refused = None
        token = _text(content, "identity", 4096)
        if token:
            try:
                self.identity = await on_pool(verify_identity)(token)
            except IdentityRefused as error:
                refused = error.reason
        conversation = await on_pool(queries.find_resumable)(
            self.identity, None if self.identity else _text(content, "conversation", 200))
        messages = await self._join(conversation) if conversation else []
        await self.send_json({
            "type": "welcome", "verified": self.identity is not None, "refused": refused,
            "name": self.identity.name if self.identity else "",
            "key": conversation.issue.key if conversation else None, "messages": messages,
            "upload_ticket": upload_ticket(conversation.pk) if conversation else None,
        })

    async def _join(self, conversation) -> list[dict]:
        self.conversation = conversation
        await self.channel_layer.group_add(conversation_group(conversation.pk), self.channel_name)
        await on_pool(actions.do_record_presence)(conversation.pk, sockets=1)
        return await on_pool(queries.conversation_history)(conversation)

    async def _message(self, content):
        if self.identity is None and await on_pool(is_over_anonymous_limit)(self.context.client_ip):
            await self.send_json({"type": "error", "detail": "Too many messages; please wait a few minutes"})
            return
        body = content.get("body")
        try:
            if self.conversation is None:
                conversation, token = await on_pool(self._open)(body)
                await self._join(conversation)
                await self.send_json({"type": "opened", "key": conversation.issue.key,
                                      "conversation": None if conversation.is_verified else token,
                                      "upload_ticket": upload_ticket(conversation.pk)})
                issue = conversation.issue
                await self.send_json({"type": "message", "message": {
                    "id": 0, "issue": issue.key, "body": issue.description, "from": "customer", "author": "You",
                    "at": issue.created_at.isoformat(), "internal": False, "attachments": []}})
            else:
                await on_pool(actions.do_add_customer_message)(self.conversation, body=body)
        except (ActionError, IdentityRefused) as error:
            detail = error.detail if isinstance(error, ActionError) else error.reason
            await self.send_json({"type": "error", "detail": detail})

    def _open(self, body):
        return actions.do_open_conversation(identity=self.identity, body=body, context=self.context)

    async def chat_message(self, event):
        await self.send_json({"type": "message", "message": event["message"]})

    async def disconnect(self, code):
        if self.conversation is not None:
            await self.channel_layer.group_discard(conversation_group(self.conversation.pk), self.channel_name)
            await on_pool(actions.do_record_presence)(self.conversation.pk, sockets=-1)


class DeskConsumer(_PoolConsumer):
    """Staff pages: the live queue (`chat.desk`) and, after {"type": "watch", "issue": "TL-42"},
    one issue's messages as they arrive."""

    async def connect(self):
        remember_server_loop()
        user = self.scope.get("user")
        if user is None or not await on_pool(is_staff_member)(user):
            await self.close(code=4403)
            return
        self.user = user
        await self.channel_layer.group_add(DESK_GROUP, self.channel_name)
        await self.accept()

    async def receive_json(self, content, **kwargs):
        key = content.get("issue") if isinstance(content, dict) and content.get("type") == "watch" else None
        issue = await on_pool(self._visible_issue)(key) if isinstance(key, str) else None
        if issue is None:
            await self.send_json({"type": "error", "detail": "no such issue"})
            return
        await self.channel_layer.group_add(issue_group(issue.pk), self.channel_name)
        await self.send_json({"type": "watching", "issue": issue.key})

    async def decode_json(self, text_data):
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    def _visible_issue(self, key: str):
        from tierline.issues.models import parse_issue_key

        number = parse_issue_key(key[:40])
        issue = Issue.objects.filter(pk=number).first() if number else None
        return issue if issue is not None and can_view_issue(self.user, issue) else None

    async def queue_changed(self, event):
        await self.send_json({"type": "queue", "issue_id": event["issue_id"]})

    async def chat_message(self, event):
        await self.send_json({"type": "message", "message": event["message"]})

    async def disconnect(self, code):
        await self.channel_layer.group_discard(DESK_GROUP, self.channel_name)
