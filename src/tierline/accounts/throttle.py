"""Login throttling: after too many failed logins for one account from one address (or from one
address overall), further attempts are refused for a while, even with the right password.

Counts live in Django's cache: Redis when configured (shared by every process), otherwise the
process's memory, which still slows guessing against the embedded one-process install.
"""

from django.conf import settings
from django.core.cache import cache

# One address may fail this many times more than one account may, over all accounts.
ADDRESS_FACTOR = 10


def _keys(email: str, ip: str | None) -> tuple[str, str]:
    ip = ip or "unknown"
    return f"login-failures:{email.strip().lower()}:{ip}", f"login-failures-ip:{ip}"


def is_locked(email: str, ip: str | None) -> bool:
    account_key, address_key = _keys(email, ip)
    limit = settings.LOGIN_MAX_FAILURES
    return cache.get(account_key, 0) >= limit or cache.get(address_key, 0) >= limit * ADDRESS_FACTOR


def record_failure(email: str, ip: str | None) -> bool:
    """Count one failure; True when this one reached the limit (the moment to audit)."""
    reached = False
    for key, limit in zip(_keys(email, ip), (settings.LOGIN_MAX_FAILURES,
                                              settings.LOGIN_MAX_FAILURES * ADDRESS_FACTOR), strict=True):
        cache.add(key, 0, timeout=settings.LOGIN_LOCKOUT_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=settings.LOGIN_LOCKOUT_SECONDS)
            count = 1
        reached = reached or count == limit
    return reached


def clear_failures(email: str, ip: str | None) -> None:
    cache.delete(_keys(email, ip)[0])
