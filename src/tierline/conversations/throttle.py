"""Anonymous chat is rate-limited per client address, in Django's cache (Redis when configured,
so the limit holds across web processes)."""

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 600


def is_over_anonymous_limit(client_ip: str | None) -> bool:
    """Counts this message; True once the address sent more than the limit in the window."""
    key = f"chat-anonymous:{client_ip or 'unknown'}"
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count > settings.CHAT_ANONYMOUS_LIMIT
