"""Request context middleware for WSGI, ASGI, Django and Flask."""
import asyncio

import pytest
import tierline_agent
from tierline_agent import current_context


def test_wsgi_middleware_sets_context_for_the_request_and_the_body():
    seen = []

    def app(environ, start_response):
        seen.append(current_context().as_dict())
        start_response("200 OK", [])

        def body():
            seen.append(current_context().as_dict())
            yield b"ok"
        return body()

    wrapped = tierline_agent.WSGIMiddleware(app)
    result = wrapped({"REMOTE_USER": "u1", "HTTP_X_TIERLINE_ORGANIZATION": "acme"}, lambda *a: None)
    assert b"".join(result) == b"ok"
    result.close()
    assert seen == [{"user": "u1", "organization": "acme"}] * 2
    assert current_context().as_dict() == {}


def test_wsgi_middleware_with_custom_identify_and_failing_identify():
    def app(environ, start_response):
        return [current_context().organization or "none"]

    assert list(tierline_agent.WSGIMiddleware(app, identify=lambda e: ("u", e["org"]))({"org": "x"}, None)) == ["x"]

    def broken(environ):
        raise RuntimeError("identify failed")
    assert list(tierline_agent.WSGIMiddleware(app, identify=broken)({}, None)) == ["none"]


def test_asgi_middleware():
    seen = []

    async def app(scope, receive, send):
        seen.append(current_context().as_dict())

    wrapped = tierline_agent.ASGIMiddleware(app)
    scope = {"type": "http", "headers": [(b"x-tierline-organization", b"acme")]}
    asyncio.run(wrapped(scope, None, None))
    asyncio.run(wrapped({"type": "lifespan"}, None, None))
    assert seen == [{"organization": "acme"}, {}]


def test_flask_init():
    flask = pytest.importorskip("flask")
    app = flask.Flask("t")
    tierline_agent.init_flask(app)

    @app.route("/")
    def index():
        return current_context().organization or "none"

    client = app.test_client()
    assert client.get("/", headers={"X-Tierline-Organization": "acme"}).data == b"acme"
    assert client.get("/").data == b"none"
    assert current_context().as_dict() == {}


def test_django_middleware():
    django = pytest.importorskip("django")
    from django.conf import settings
    if not settings.configured:
        settings.configure()

    class Request:
        META = {"HTTP_X_TIERLINE_ORGANIZATION": "acme"}

        class user:
            is_authenticated = True
            pk = 7

    seen = []
    middleware = tierline_agent.DjangoMiddleware(lambda request: seen.append(current_context().as_dict()) or "r")
    assert middleware(Request()) == "r"
    assert seen == [{"user": 7, "organization": "acme"}]
    assert django
