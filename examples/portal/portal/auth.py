"""Identity tokens and session cookies.

An identity token is `base64url(JSON profile) + "." + base64url(HMAC-SHA256)`: the identity
provider issues it after sign-in and the portal validates it before opening a session. A token
that does not validate sends the browser back to the identity provider, which (already signed in)
issues the same token again.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

from .config import TOKEN_LIMIT, Settings
from .directory import User, find_user

__all__ = ["find_user", "issue_identity_token", "validate_identity_token", "make_cookie", "read_cookie"]

SESSION_SECONDS = 8 * 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(settings: Settings, purpose: str, body: str) -> str:
    return _b64(hmac.new(settings.secret, f"{purpose}:{body}".encode(), hashlib.sha256).digest())


def issue_identity_token(settings: Settings, user: User, now: float | None = None) -> str:
    now = time.time() if now is None else now
    profile = {"sub": user.username, "name": user.name, "email": user.email, "org": user.organization,
               "groups": list(user.groups), "iat": int(now), "exp": int(now) + 300}
    body = _b64(json.dumps(profile, separators=(",", ":")).encode())
    token = f"{body}.{_sign(settings, 'id', body)}"
    if settings.trim_tokens:
        token = token[:TOKEN_LIMIT]  # trims identity tokens to the old gateway's header limit
    return token


def validate_identity_token(settings: Settings, token: str, now: float | None = None) -> User | None:
    """The user the token names, or None when it is malformed, forged, cut short or expired."""
    now = time.time() if now is None else now
    body, _, signature = (token or "").rpartition(".")
    if not body or not hmac.compare_digest(signature, _sign(settings, "id", body)):
        return None
    try:
        profile = json.loads(_unb64(body))
    except ValueError:
        return None
    if not isinstance(profile, dict) or profile.get("exp", 0) < now:
        return None
    return find_user(profile.get("sub", ""))


def make_cookie(settings: Settings, purpose: str, username: str, now: float | None = None) -> str:
    """A small signed cookie value naming a user: the identity provider's and the portal's sessions."""
    now = time.time() if now is None else now
    body = f"{username}|{int(now) + SESSION_SECONDS}"
    return f"{body}|{_sign(settings, purpose, body)}"


def read_cookie(settings: Settings, purpose: str, value: str, now: float | None = None) -> User | None:
    now = time.time() if now is None else now
    body, _, signature = (value or "").rpartition("|")
    username, _, expires = body.partition("|")
    if not body or not hmac.compare_digest(signature, _sign(settings, purpose, body)):
        return None
    if not expires.isdigit() or int(expires) < now:
        return None
    return find_user(username)
