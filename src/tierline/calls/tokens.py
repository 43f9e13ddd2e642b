"""Phone lines' auth tokens: chosen by the provider (Twilio signs its requests with the account's
auth token), so they cannot be derived like intake's integration secrets. They are sealed with
Fernet (the `cryptography` package) under a key derived from the server's secret key; changing
the secret key means setting each line's token again."""

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    key = hmac.new(settings.SECRET_KEY.encode(), b"tierline.calls:phone-line-auth-token", hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal_token(token: str) -> str:
    return _fernet().encrypt(token.encode()).decode()


def open_token(sealed: str) -> str | None:
    """The token, or None when it was sealed under another secret key."""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None
