"""`GET /api/v1/agents/probes?instance_id=ID&version=N&wait=25`: the agents' long poll.

It answers at once when the service's probe set version differs from N, else holds the request
up to `wait` seconds (at most 30) and answers as soon as the set changes (`notify.ProbeSetHub`),
or 204. A held request is a coroutine awaiting a future: no thread, no database connection.

Two entry points share `answer_poll`:
- `asgi_long_poll`, a bare ASGI application that `tierline.asgi` routes this one path to: Django's
  ASGI handler would give every request a thread of its own for its whole life, hundreds for
  hundreds of agents. Its database work (two queries a poll: the instance with its token, the
  version; the set itself when it changed) runs on a pool of TIERLINE_PROBE_POLL_DATABASE_THREADS;
- `probes_long_poll`, the same as an async Django view (WSGI servers, Django's test client), whose
  database work runs on the request's own thread.
Errors are the API's JSON `{"detail", "fields"}`; 401 and 404 make the agent register again.
"""

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.http import HttpResponse, JsonResponse

from .actions import do_record_agent_seen
from .notify import hub_for_running_loop
from .queries import delivered_probes, find_polling_instance, probe_set_version, read_versions
from .scope import organization_slug, scoped_condition
from .validation import wire_definition

LONG_POLL_PATH = "/api/v1/agents/probes"
STATUS_PATH = "/api/v1/agents/status"
FAST_PATHS = frozenset({LONG_POLL_PATH, STATUS_PATH})
MAX_STATUS_BYTES = 1024 * 1024
MAX_WAIT = 30.0
_pool: ThreadPoolExecutor | None = None


def wire_probe(probe) -> dict:
    """A probe as the agent reads it, with the scope in its condition."""
    fields = {name: getattr(probe, name) for name in ("kind", "location", "condition", "template", "capture",
                                                      "metric_type", "value", "metric_name", "logger")}
    definition = {"id": probe.public_id, "version": probe.version, **wire_definition(fields)}
    slug = None if probe.all_customers else organization_slug(probe.organization)
    condition = scoped_condition(probe.condition, slug)
    definition.pop("condition", None)
    if condition:
        definition["condition"] = condition
    if probe.rate is not None:
        definition["rate"] = probe.rate
    if probe.max_hits is not None:
        definition["max_hits"] = probe.max_hits
    definition["expires_at"] = probe.expires_at.timestamp()
    return definition


def _probe_set(instance) -> dict:
    version = probe_set_version(instance.service)  # before the probes: a change in between is seen next poll
    # A customer-scoped probe whose organization is gone must fire for nobody, never for everyone.
    probes = [p for p in delivered_probes(instance) if p.all_customers or p.organization_id]
    return {"version": version, "probes": [wire_probe(p) for p in probes]}


def _poll_state(secret: str, instance_id: str):
    token, instance = find_polling_instance(secret, instance_id)
    if token is None:
        return "token", None, 0
    if instance is None:
        return "instance", None, 0
    do_record_agent_seen(token, instance)
    return None, instance, probe_set_version(instance.service)


def _error(status: int, detail: str, **fields) -> tuple[int, dict]:
    return status, {"detail": detail, "fields": fields}


def _number(params, name: str, default: float) -> float | None:
    text = params.get(name)
    if text in (None, ""):
        return default
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) < 2**53 else None


async def answer_poll(authorization: str, params, run_db) -> tuple[int, dict | None]:
    """(status, JSON body or None for 204). `run_db(function, *args)` runs database work off the loop."""
    scheme, _, secret = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return _error(401, "Authentication required: send a valid bearer token")
    version, wait = _number(params, "version", 0), _number(params, "wait", 0)
    instance_id = params.get("instance_id") or ""
    if version is None or wait is None:
        return _error(422, "Invalid input", **({"version": "a number"} if version is None else {"wait": "seconds"}))
    problem, instance, current = await run_db(_poll_state, secret.strip(), instance_id)
    if problem == "token":
        return _error(401, "Authentication required: send a valid bearer token")
    if problem == "instance":
        return _error(404, "Unknown instance: register again", instance_id="not registered")
    if current == version:
        hub = hub_for_running_loop(read_versions, run_db)
        if wait <= 0 or not await hub.wait(instance.service, current, min(wait, MAX_WAIT)):
            return 204, None
    return 200, await run_db(_probe_set, instance)


def _on_pool(function, *args):
    def job():
        try:
            return function(*args)
        finally:
            close_old_connections()  # back to the pool (PostgreSQL) or the backend's cache (SQLite)

    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(settings.PROBE_POLL_DATABASE_THREADS, thread_name_prefix="probe-poll")
    return asyncio.get_running_loop().run_in_executor(_pool, job)


def _on_request_thread(function, *args):
    return sync_to_async(function, thread_sensitive=True)(*args)


async def probes_long_poll(request):
    if request.method != "GET":
        return JsonResponse({"detail": "Method not allowed", "fields": {}}, status=405)
    status, body = await answer_poll(request.headers.get("Authorization", ""), request.GET, _on_request_thread)
    return HttpResponse(status=204) if body is None else JsonResponse(body, status=status)


def _store_statuses(secret: str, payload) -> tuple[int, dict]:
    from .actions import do_record_statuses

    token, instance = find_polling_instance(secret, payload.instance_id)
    if token is None:
        return _error(401, "Authentication required: send a valid bearer token")
    if instance is None:
        return _error(404, "Unknown instance: register again", instance_id="not registered")
    do_record_agent_seen(token, instance)
    reports = [{**r.model_dump(), "message": r.message[:4000]} for r in payload.probes]
    stored = do_record_statuses(instance, reports, throttled=payload.throttled)
    return 200, {"stored": stored, "dropped": len(reports) - stored}


async def answer_status(authorization: str, body: bytes, run_db) -> tuple[int, dict]:
    """POST /agents/status on the fast path: the same checks and action as `wire.status`."""
    from pydantic import ValidationError

    from .schemas import StatusIn

    scheme, _, secret = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return _error(401, "Authentication required: send a valid bearer token")
    try:
        payload = StatusIn.model_validate_json(body)
    except ValidationError as error:
        fields = {".".join(str(p) for p in e["loc"]) or "body": e["msg"] for e in error.errors()}
        return _error(422, "Invalid input", **fields)
    return await run_db(_store_statuses, secret.strip(), payload)


async def _read_body(receive, limit: int) -> bytes | None:
    body = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        body += message.get("body", b"")
        if len(body) > limit:
            return b"\0" * (limit + 1)
        if not message.get("more_body"):
            return body


async def asgi_agents(scope, receive, send) -> None:
    """The agents' hot endpoints (long poll and status) without Django's per-request thread."""
    if scope["path"] == STATUS_PATH and scope.get("method") == "POST":
        body = await _read_body(receive, MAX_STATUS_BYTES)
        if body is None:
            return
        headers = dict(scope.get("headers") or [])
        status, answer = (_error(413, "Request body too large") if len(body) > MAX_STATUS_BYTES else
                          await answer_status(headers.get(b"authorization", b"").decode("latin-1"), body, _on_pool))
        return await _respond(send, status, answer)
    return await asgi_long_poll(scope, receive, send)


async def asgi_long_poll(scope, receive, send) -> None:
    headers = dict(scope.get("headers") or [])
    params = {k: v[-1] for k, v in parse_qs(scope.get("query_string", b"").decode("latin-1")).items()}
    if scope.get("method") != "GET" or scope["path"] != LONG_POLL_PATH:
        status, body = _error(405, "Method not allowed")
    else:
        poll = asyncio.ensure_future(answer_poll(headers.get(b"authorization", b"").decode("latin-1"), params,
                                                 _on_pool))
        gone = asyncio.ensure_future(_disconnected(receive))
        await asyncio.wait({poll, gone}, return_when=asyncio.FIRST_COMPLETED)
        if not poll.done():  # the agent hung up: stop waiting for it
            poll.cancel()
            return
        gone.cancel()
        status, body = poll.result()
    await _respond(send, status, body)


async def _respond(send, status: int, body: dict | None) -> None:
    content = b"" if body is None else json.dumps(body).encode()
    response_headers = [(b"content-length", str(len(content)).encode())]
    if body is not None:
        response_headers.append((b"content-type", b"application/json"))
    await send({"type": "http.response.start", "status": status, "headers": response_headers})
    await send({"type": "http.response.body", "body": content})


async def _disconnected(receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
