"""From where: the client address and user agent of the request being served.

The middleware puts them in a context variable so actions record them without every caller
passing the request down; `tierline` commands name themselves; in tasks they are empty.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestOrigin:
    ip_address: str | None = None
    user_agent: str = ""


_NO_REQUEST = RequestOrigin()
_origin: ContextVar[RequestOrigin | None] = ContextVar("audit_origin", default=None)


def current_origin() -> RequestOrigin:
    return _origin.get() or _NO_REQUEST


@contextmanager
def command_line_origin(command: str):
    """Entries written by a `tierline` command say so, with the operating-system account: the
    "from where" of an act that no request carried."""
    import getpass

    try:
        account = getpass.getuser()
    except (KeyError, OSError):
        account = "unknown"
    token = _origin.set(RequestOrigin(user_agent=f"tierline {command} (command line, {account})"[:300]))
    try:
        yield
    finally:
        _origin.reset(token)


def origin_of(request) -> RequestOrigin:
    ip = request.META.get("REMOTE_ADDR") or None
    if settings.TRUST_FORWARDED_FOR:
        # Only behind a proxy we run: the header is whatever the client says otherwise.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
        ip = forwarded or ip
    return RequestOrigin(ip_address=ip, user_agent=request.META.get("HTTP_USER_AGENT", "")[:300])


class RequestOriginMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _origin.set(origin_of(request))
        try:
            return self.get_response(request)
        finally:
            _origin.reset(token)
