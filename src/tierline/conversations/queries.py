"""Reads: which conversation a widget may resume, its history, the desk's live queue, the chat keys."""

from django.db.models import F
from django.utils import timezone

from tierline.accounts.permissions import scope_issues
from tierline.issues.models import DONE_STATUSES, Channel, Comment, Issue

from .actions import token_hash
from .delivery import message_event
from .identity import Identity
from .models import ChatKey, Conversation

HISTORY_LIMIT = 200


def find_resumable(identity: Identity | None, token: str | None) -> Conversation | None:
    """A verified user resumes their latest open conversation; an anonymous visitor only the one
    whose token they hold. Nobody resumes a verified conversation with a token alone, so a
    forged or expired identity never reads a signed-in customer's history."""
    conversations = Conversation.objects.select_related("issue", "issue__requester").exclude(
        issue__status__in=DONE_STATUSES)
    if identity is not None:
        return (conversations.filter(is_verified=True, issue__requester__email=identity.email,
                                     issue__organization=identity.organization)
                .order_by("-created_at", "-id").first())
    if token and isinstance(token, str) and len(token) < 200:
        return conversations.filter(is_verified=False, token_hash=token_hash(token)).first()
    return None


def conversation_history(conversation: Conversation) -> list[dict]:
    """The opening message and the public replies, oldest first (internal notes never)."""
    issue = conversation.issue
    opening = {"id": 0, "issue": issue.key, "body": issue.description, "from": "customer",
               "author": "Customer",
               "at": issue.created_at.isoformat(), "internal": False, "attachments": []}
    comments = (Comment.objects.filter(issue=issue, is_public=True).select_related("author", "author_contact")
                .prefetch_related("attachments").order_by("-created_at", "-id")[:HISTORY_LIMIT])
    return [opening, *[message_event(c, issue.key) for c in reversed(comments)]]


def list_chat_keys(*, include_revoked: bool = True) -> list[ChatKey]:
    """Every chat key with its organization, active ones first, the newest first (admins' page, CLI)."""
    keys = ChatKey.objects.select_related("organization").order_by("-is_active", "-created_at", "-id")
    return list(keys if include_revoked else keys.filter(is_active=True))


def list_live_conversations(user, limit: int = 200) -> list[Issue]:
    """Open chat issues, the longest-waiting first, then the most recently active; each with
    `waiting_seconds` (None when an agent answered last) and `is_online`."""
    now = timezone.now()
    issues = (scope_issues(user, Issue.objects.filter(channel=Channel.CHAT)).exclude(status__in=DONE_STATUSES)
              .filter(conversation__isnull=False)
              .select_related("conversation", "requester", "organization", "assignee")
              .order_by(F("conversation__waiting_since").asc(nulls_last=True), "-updated_at", "-id")[:limit])
    rows = list(issues)
    for issue in rows:
        waiting = issue.conversation.waiting_since
        issue.waiting_seconds = int((now - waiting).total_seconds()) if waiting else None
        issue.is_online = issue.conversation.sockets_open > 0
    return rows
