"""Widget identities: the company's backend vouches for its signed-in user, Tierline verifies.

Format (documented in README.md, "In-app chat"):

    identity  = KEY_ID "." PAYLOAD "." SIGNATURE
    PAYLOAD   = base64url, unpadded, of the JSON claims
                {"user_id": str, "email": str, "organization": <Tierline organization id>,
                 "exp": <unix seconds>, "name": str (optional)}
    SIGNATURE = hex HMAC-SHA256 under the key's secret of KEY_ID "." PAYLOAD

A key belongs to one organization (its identities must name that organization) or, with no
organization, to a whole product (its identities may name any organization). Secrets are derived
from the server's secret key and the key's salt, never stored, like intake's integration secrets.
"""

import base64
import binascii
import hashlib
import hmac
import json
import secrets as _random
import time
from dataclasses import dataclass

from django.conf import settings

from tierline.customers.models import Organization

from .models import ChatKey

# The shared requester of anonymous conversations (actions.visitor_contact); .invalid never exists.
VISITOR_DOMAIN = "chat.invalid"
VISITOR_EMAIL = f"anonymous@{VISITOR_DOMAIN}"


class IdentityRefused(Exception):
    """An identity that is missing a part, expired, forged, or names the wrong organization."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Identity:
    chat_key: ChatKey
    organization: Organization
    user_id: str
    email: str
    name: str


def new_salt() -> str:
    return _random.token_hex(16)


def new_key_id() -> str:
    return "tlk_" + _random.token_hex(8)


def chat_secret(key_id: str, salt: str) -> str:
    key = settings.SECRET_KEY.encode()
    return "tlc_" + hmac.new(key, f"chat-identity:{key_id}:{salt}".encode(), hashlib.sha256).hexdigest()


def sign_identity(key_id: str, secret: str, claims: dict) -> str:
    """What the company's backend does (the README shows the same in five lines)."""
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    signature = hmac.new(secret.encode(), f"{key_id}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"{key_id}.{payload}.{signature}"


def _claims(payload: str) -> dict:
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise IdentityRefused("the identity's payload is not base64url JSON") from None
    if not isinstance(claims, dict):
        raise IdentityRefused("the identity's payload is not a JSON object")
    return claims


def _text_claim(claims: dict, name: str, limit: int, required: bool = True) -> str:
    value = claims.get(name, "")
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit:
        raise IdentityRefused(f"the identity's {name!r} is missing or invalid")
    return value.strip()


def verify_identity(token: str, *, now: float | None = None) -> Identity:
    """The identity the token carries, or IdentityRefused; the signature is checked in constant
    time before any claim is believed."""
    if not isinstance(token, str) or len(token) > 4096:
        raise IdentityRefused("no identity")
    key_id, _, rest = token.partition(".")
    payload, _, signature = rest.partition(".")
    if not (key_id and payload and signature):
        raise IdentityRefused("the identity is not KEY_ID.PAYLOAD.SIGNATURE")
    chat_key = ChatKey.objects.select_related("organization").filter(key_id=key_id, is_active=True).first()
    secret = chat_secret(chat_key.key_id, chat_key.secret_salt) if chat_key else "-"
    expected = hmac.new(secret.encode(), f"{key_id}.{payload}".encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature.lower().encode(), expected.encode()) or chat_key is None:
        raise IdentityRefused("the identity's signature does not match")
    claims = _claims(payload)
    now = time.time() if now is None else now
    expires = claims.get("exp")
    if isinstance(expires, bool) or not isinstance(expires, int | float):
        raise IdentityRefused("the identity has no expiry ('exp')")
    if expires <= now:
        raise IdentityRefused("the identity has expired")
    if expires > now + settings.CHAT_IDENTITY_MAX_SECONDS:
        raise IdentityRefused("the identity's expiry is too far ahead")
    organization = _organization(chat_key, claims.get("organization"))
    email = _text_claim(claims, "email", 254).lower()
    if "@" not in email:
        raise IdentityRefused("the identity's 'email' is not an email address")
    if email.rpartition("@")[2] == VISITOR_DOMAIN:
        raise IdentityRefused("the identity's 'email' is reserved for anonymous visitors")
    return Identity(chat_key=chat_key, organization=organization, user_id=_text_claim(claims, "user_id", 200),
                    email=email, name=_text_claim(claims, "name", 200, required=False))


def _organization(chat_key: ChatKey, claimed) -> Organization:
    if isinstance(claimed, bool) or not isinstance(claimed, int | str) or not str(claimed).isdigit():
        raise IdentityRefused("the identity's 'organization' is not an organization id")
    if chat_key.organization_id is not None:
        if int(claimed) != chat_key.organization_id:
            raise IdentityRefused("the identity names another organization than its key's")
        return chat_key.organization
    organization = Organization.objects.filter(pk=int(claimed)).first() if len(str(claimed)) < 19 else None
    if organization is None:
        raise IdentityRefused("the identity names an unknown organization")
    return organization
