"""Integration secrets: derived from the server's secret key and a per-integration salt, so
nothing that could post alerts is stored in the clear. Rotating a secret changes the salt.

A sender proves itself with `Authorization: Bearer <secret>`, or signs the raw body with
HMAC-SHA256 under the secret and sends `X-Tierline-Signature: sha256=<hex>`.
"""

import hashlib
import hmac
import secrets as _random

from django.conf import settings


def new_salt() -> str:
    return _random.token_hex(16)


def integration_secret(slug: str, salt: str) -> str:
    key = settings.SECRET_KEY.encode()
    return "tla_" + hmac.new(key, f"alert-integration:{slug}:{salt}".encode(), hashlib.sha256).hexdigest()


def is_authentic(secret: str, body: bytes, authorization: str, signature: str) -> bool:
    """Constant-time check of a bearer token or an HMAC signature of the raw body."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token:
        return hmac.compare_digest(token.strip().encode(), secret.encode())
    algorithm, _, digest = signature.partition("=")
    if algorithm.lower() == "sha256" and digest:
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(digest.strip().lower().encode(), expected.encode())
    return False
