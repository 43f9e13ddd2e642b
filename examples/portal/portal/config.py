"""The example's settings, read from the environment once at start.

PORTAL_SECRET         key for identity tokens and cookies (random per process by default)
PORTAL_TRIM_TOKENS    "1" (default) trims identity tokens to TOKEN_LIMIT characters; "0" is the fix
PORTAL_PASSWORD       every demo user's password (default "portal")
TIERLINE_SERVER, TIERLINE_AGENT_TOKEN (or PORTAL_AGENT_TOKEN_FILE), TIERLINE_SERVICE: the agent
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field

# The legacy gateway in front of the old portal refused headers longer than this; the limit was
# kept when the gateway went away.
TOKEN_LIMIT = 8000


@dataclass(frozen=True)
class Settings:
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    trim_tokens: bool = True
    password: str = "portal"
    server: str = ""
    agent_token: str = ""
    service: str = "portal"


def load(environ=None) -> Settings:
    environ = os.environ if environ is None else environ
    token = environ.get("TIERLINE_AGENT_TOKEN", "")
    token_file = environ.get("PORTAL_AGENT_TOKEN_FILE", "")
    if not token and token_file and os.path.exists(token_file):
        with open(token_file, encoding="utf-8") as f:
            token = f.read().strip()
    secret = environ.get("PORTAL_SECRET", "")
    return Settings(
        secret=secret.encode() if secret else secrets.token_bytes(32),
        trim_tokens=environ.get("PORTAL_TRIM_TOKENS", "1") not in ("0", "false", "no", ""),
        password=environ.get("PORTAL_PASSWORD", "portal"),
        server=environ.get("TIERLINE_SERVER", ""),
        agent_token=token,
        service=environ.get("TIERLINE_SERVICE", "") or "portal",
    )
