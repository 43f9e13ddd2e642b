"""/conversations: chat signing keys (admins; the secret is shown once) and the live queue (staff)."""

from ninja import Router
from ninja.responses import Status

from tierline.accounts.permissions import has_perm
from tierline.customers.masking import PersonalData
from tierline.customers.models import Organization
from tierline.errors import NotFound, PermissionDenied
from tierline.schemas import ERRORS, referenced_row

from .actions import do_create_chat_key, do_rotate_chat_key
from .identity import chat_secret
from .models import ChatKey
from .queries import list_live_conversations
from .schemas import ChatKeyIn, ChatKeyOut, LiveConversationOut

router = Router(tags=["conversations"])


def _require(user, permission: str) -> None:
    if not has_perm(user, permission):
        raise PermissionDenied("You may not do this")


def key_out(key: ChatKey, *, with_secret: bool = False) -> dict:
    return {"id": key.pk, "key_id": key.key_id, "organization_id": key.organization_id, "product": key.product,
            "created_at": key.created_at, "secret": chat_secret(key.key_id, key.secret_salt) if with_secret else None}


@router.get("/conversations/keys", response={200: list[ChatKeyOut], **ERRORS})
def get_chat_keys(request):
    _require(request.auth, "chat.manage_keys")
    return [key_out(k) for k in ChatKey.objects.filter(is_active=True)]


@router.post("/conversations/keys", response={201: ChatKeyOut, **ERRORS})
def create_chat_key(request, payload: ChatKeyIn):
    """A key for the company's backend to sign widget identities with (README: "In-app chat")."""
    _require(request.auth, "chat.manage_keys")
    organization = referenced_row(Organization, payload.organization_id, "organization_id")
    key = do_create_chat_key(actor=request.auth, organization=organization, product=payload.product)
    return Status(201, key_out(key, with_secret=True))


@router.post("/conversations/keys/{int:chat_key}/rotate", response={200: ChatKeyOut, **ERRORS})
def rotate_chat_key(request, chat_key: int):
    _require(request.auth, "chat.manage_keys")
    key = ChatKey.objects.filter(pk=chat_key, is_active=True).first() if chat_key < 2**63 else None
    if key is None:
        raise NotFound("Chat key not found")
    return key_out(do_rotate_chat_key(key, actor=request.auth), with_secret=True)


@router.get("/conversations/live", response={200: list[LiveConversationOut], **ERRORS})
def get_live_conversations(request):
    """Open chat conversations, the longest-waiting customer first (staff only)."""
    _require(request.auth, "issue.view_all")
    privacy = PersonalData(request.auth, what="live conversations")
    return [{
        "key": i.key, "title": i.title, "status": i.status, "organization_id": i.organization_id,
        "customer": privacy.contact_label(i.requester) if i.conversation.is_verified else "Anonymous visitor",
        "is_verified": i.conversation.is_verified, "is_online": i.is_online, "waiting_seconds": i.waiting_seconds,
        "page_url": i.conversation.page_url, "app_version": i.conversation.app_version,
    } for i in list_live_conversations(request.auth)]
