"""Request context: who the current request is for, so probes can be scoped to one customer.

`context(user=..., organization=...)` sets it for the current thread or task (contextvars) and
works as a context manager; probe expressions read it as `ctx`.
"""
from __future__ import annotations

import contextvars


class RequestContext:
    """Plain slots, so probe expressions read it through the same safe accessor as app objects."""

    __slots__ = ("user", "organization", "tags", "_as_dict")

    def __init__(self, user=None, organization=None, tags=None):
        self.user = user
        self.organization = organization
        self.tags = dict(tags or {})
        self._as_dict = None

    def as_dict(self) -> dict:
        """The context as it goes on the wire (built once: a context is never changed)."""
        if self._as_dict is None:
            found = {"user": self.user, "organization": self.organization}
            found.update(self.tags)
            self._as_dict = {k: v for k, v in found.items() if v is not None}
        return dict(self._as_dict)


EMPTY = RequestContext()
_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar("tierline_request_context", default=EMPTY)
get_context = _current.get


class context:  # noqa: N801 - reads as a function at the call site
    """Set the request context; `with context(user="u1", organization="acme"): ...` restores it."""

    __slots__ = ("_token",)

    def __init__(self, user=None, organization=None, **tags):
        def plain(value):
            return value if value is None or type(value) in (str, int) else str(value)

        self._token = _current.set(RequestContext(plain(user), plain(organization),
                                                  {k: plain(v) for k, v in tags.items()}))

    def __enter__(self) -> RequestContext:
        return _current.get()

    def __exit__(self, *exc_info) -> None:
        self.reset()

    def reset(self) -> None:
        if self._token is not None:
            try:
                _current.reset(self._token)
            except ValueError:  # reset from another context: fall back to clearing
                _current.set(EMPTY)
            self._token = None


def current_context() -> RequestContext:
    return _current.get()
