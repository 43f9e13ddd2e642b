"""Set the request context (user, organization) for each request, in WSGI, ASGI, Django and Flask.

Each takes an `identify` callable returning `(user, organization)` for the framework's request
object; the defaults read what the framework already knows (REMOTE_USER, the Django user's pk,
ASGI `scope["user"]`) and an `X-Tierline-Organization` header... or nothing.
"""
from __future__ import annotations

from ._context import context


def _wsgi_identify(environ):
    return environ.get("REMOTE_USER"), environ.get("HTTP_X_TIERLINE_ORGANIZATION")


class WSGIMiddleware:
    def __init__(self, app, identify=_wsgi_identify):
        self.app, self.identify = app, identify

    def __call__(self, environ, start_response):
        try:
            user, organization = self.identify(environ)
        except Exception:
            user = organization = None
        scope = context(user=user, organization=organization)
        try:
            result = self.app(environ, start_response)
        except BaseException:
            scope.reset()
            raise
        # Keep the context while the body is produced, then restore it.
        return _ClosingIterator(result, scope)


class _ClosingIterator:
    def __init__(self, result, scope):
        self._result, self._scope = result, scope
        self._iterator = iter(result)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._iterator)

    def close(self):
        try:
            close = getattr(self._result, "close", None)
            if close is not None:
                close()
        finally:
            self._scope.reset()


def _asgi_identify(scope):
    user = scope.get("user")
    user_id = getattr(user, "identity", None) or getattr(user, "username", None) if user is not None else None
    organization = None
    for name, value in scope.get("headers") or ():
        if name == b"x-tierline-organization":
            organization = value.decode("latin-1")
    return user_id, organization


class ASGIMiddleware:
    def __init__(self, app, identify=_asgi_identify):
        self.app, self.identify = app, identify

    async def __call__(self, scope, receive, send):
        if scope.get("type") not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        try:
            user, organization = self.identify(scope)
        except Exception:
            user = organization = None
        with context(user=user, organization=organization):
            return await self.app(scope, receive, send)


def _django_identify(request):
    user = getattr(request, "user", None)
    user_id = None
    if user is not None and getattr(user, "is_authenticated", False):
        user_id = getattr(user, "pk", None)
    organization = getattr(request, "organization", None) or request.META.get("HTTP_X_TIERLINE_ORGANIZATION")
    if organization is not None and not isinstance(organization, (str, int)):
        organization = getattr(organization, "slug", None) or getattr(organization, "pk", None)
    return user_id, organization


class DjangoMiddleware:
    """Add after AuthenticationMiddleware: `"tierline_agent.DjangoMiddleware"`."""

    identify = staticmethod(_django_identify)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            user, organization = self.identify(request)
        except Exception:
            user = organization = None
        with context(user=user, organization=organization):
            return self.get_response(request)


def _flask_identify(request):
    user = request.environ.get("REMOTE_USER")
    return user, request.headers.get("X-Tierline-Organization")


def init_flask(app, identify=_flask_identify):
    """Register before/teardown request hooks on a Flask app."""
    import flask

    @app.before_request
    def _tierline_enter():
        try:
            user, organization = identify(flask.request)
        except Exception:
            user = organization = None
        flask.g._tierline_context = context(user=user, organization=organization)

    @app.teardown_request
    def _tierline_exit(exc=None):
        scope = flask.g.pop("_tierline_context", None)
        if scope is not None:
            scope.reset()

    return app
