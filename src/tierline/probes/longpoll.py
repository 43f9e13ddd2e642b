"""`GET /api/v1/agents/probes?instance_id=ID&version=N&wait=25`: the agents' long poll.

It answers at once when the service's probe set version differs from N, else holds the request
up to `wait` seconds (at most 30) and answers as soon as the set changes (`notify.ProbeSetHub`),
or 204. A held request is a coroutine awaiting a future: no thread, no database connection.

When a change wakes hundreds of held polls at once, the service's new set is read once for all of
them (`ProbeSetCache`) and each instance gets the probes that run on it.

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
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.http import HttpResponse, JsonResponse

from .actions import do_record_agent_seen
from .notify import hub_for_running_loop
from .queries import (
    active_probes,
    find_polling_instance,
    find_polling_instances,
    probe_set_version,
    read_versions,
    runs_on,
)
from .scope import organization_slug, scoped_condition
from .validation import wire_definition

LONG_POLL_PATH = "/api/v1/agents/probes"
STATUS_PATH = "/api/v1/agents/status"
FAST_PATHS = frozenset({LONG_POLL_PATH, STATUS_PATH})
MAX_STATUS_BYTES = 1024 * 1024
MAX_WAIT = 30.0
MAX_STATUS_BATCH = 500
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


@dataclass(frozen=True)
class ServiceProbeSet:
    version: int
    read_at: float  # time.monotonic()
    probes: list[tuple]  # (probe, its wire definition)


def read_service_probe_set(service: str) -> ServiceProbeSet:
    version = probe_set_version(service)  # before the probes: a change in between is seen next poll
    # A customer-scoped probe whose organization is gone must fire for nobody, never for everyone.
    probes = [p for p in active_probes(service) if p.all_customers or p.organization_id]
    return ServiceProbeSet(version, time.monotonic(), [(p, wire_probe(p)) for p in probes])


class ProbeSetCache:
    """The probe sets one event loop has read, one read per service shared by every poll that wants
    it at the same time. A set is reused while it is at least the version a poll needs and younger
    than FRESH_SECONDS (what no version change covers, an organization removed, is seen that late)."""

    FRESH_SECONDS = 2.0

    def __init__(self):
        self.sets: dict[str, ServiceProbeSet] = {}
        self.reading: dict[str, asyncio.Future] = {}

    async def get(self, service: str, at_least: int, run_db) -> ServiceProbeSet:
        found = self.sets.get(service)
        if found and found.version >= at_least and time.monotonic() - found.read_at < self.FRESH_SECONDS:
            return found
        for _ in range(2):
            reading = self.reading.get(service)
            if reading is None:
                reading = self.reading[service] = asyncio.ensure_future(run_db(read_service_probe_set, service))
                reading.add_done_callback(lambda done, service=service: self._read(service, done))
            found = await asyncio.shield(reading)  # one poll hanging up does not cancel the others' read
            if found.version >= at_least:
                break
            # That read may have begun before the change this poll saw: the next one begins after. Its
            # answer stands whatever it says (a database reset can lower versions the loop heard of).
        return found

    def _read(self, service: str, done: asyncio.Future) -> None:
        if self.reading.get(service) is done:
            del self.reading[service]
        if not done.cancelled() and done.exception() is None:
            latest = self.sets.get(service)
            if latest is None or done.result().version >= latest.version:
                self.sets[service] = done.result()


# One cache and one status batcher per event loop: their futures belong to it.
_per_loop: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = weakref.WeakKeyDictionary()


def _of_running_loop(kind: type):
    mine = _per_loop.setdefault(asyncio.get_running_loop(), {})
    if kind not in mine:
        mine[kind] = kind()
    return mine[kind]


async def probe_set_for(instance, at_least: int, run_db) -> dict:
    """What the instance runs, from its service's set as of version `at_least` or later."""
    found = await _of_running_loop(ProbeSetCache).get(instance.service, at_least, run_db)
    now = time.time()
    return {"version": found.version,
            "probes": [wire for probe, wire in found.probes if wire["expires_at"] > now and runs_on(probe, instance)]}


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
    hub = hub_for_running_loop(read_versions, run_db)
    if current == version and (wait <= 0 or not await hub.wait(instance.service, current, min(wait, MAX_WAIT))):
        return 204, None
    return 200, await probe_set_for(instance, max(current, hub.latest.get(instance.service, 0)), run_db)


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


def _store_status_batch(items: list[tuple[str, object]]) -> list[tuple[int, dict]]:
    """Each (secret, StatusIn) checked as `wire.status` checks it, the good ones stored together."""
    from .actions import do_record_status_reports

    answers: list = [None] * len(items)
    batch, where = [], []
    found = find_polling_instances([(secret, payload.instance_id) for secret, payload in items])
    for n, ((_, payload), (token, instance)) in enumerate(zip(items, found, strict=True)):
        if token is None:
            answers[n] = _error(401, "Authentication required: send a valid bearer token")
        elif instance is None:
            answers[n] = _error(404, "Unknown instance: register again", instance_id="not registered")
        else:
            do_record_agent_seen(token, instance)
            reports = [{**r.model_dump(), "message": r.message[:4000]} for r in payload.probes]
            batch.append((instance, reports, payload.throttled))
            where.append((n, len(reports)))
    for (n, sent), stored in zip(where, do_record_status_reports(batch) if batch else [], strict=True):
        answers[n] = (200, {"stored": stored, "dropped": sent - stored})
    return answers


class StatusBatcher:
    """Status reports of one event loop are stored in batches: while one batch is being written the
    next gathers, so hundreds of agents reporting a new probe at once cost a few transactions, not
    hundreds (group commit)."""

    def __init__(self):
        self.pending: list[tuple[str, object, asyncio.Future]] = []
        self.writing: asyncio.Task | None = None

    async def store(self, secret: str, payload, run_db) -> tuple[int, dict]:
        answer = asyncio.get_running_loop().create_future()
        self.pending.append((secret, payload, answer))
        if self.writing is None or self.writing.done():
            self.writing = asyncio.ensure_future(self._write(run_db))
        return await asyncio.shield(answer)  # an agent hanging up does not cancel the others' write

    async def _write(self, run_db) -> None:
        while self.pending:
            batch, self.pending = self.pending[:MAX_STATUS_BATCH], self.pending[MAX_STATUS_BATCH:]
            try:
                answers = await run_db(_store_status_batch, [(secret, payload) for secret, payload, _ in batch])
            except Exception as error:  # noqa: BLE001 - each waiting agent gets the failure, the loop goes on
                for _, _, answer in batch:
                    answer.set_exception(error)
                continue
            for (_, _, answer), result in zip(batch, answers, strict=True):
                answer.set_result(result)


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
    return await _of_running_loop(StatusBatcher).store(secret.strip(), payload, run_db)


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
