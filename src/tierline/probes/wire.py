"""The agents' wire protocol v1 (agent/src/tierline_agent/README.md): register, status and hits as
ninja endpoints authenticated by agent tokens, and how hit batches are bounded and checked.
The long poll for probe sets is in `longpoll.py` (async, outside ninja).

Answers the agent acts on: 401 (unknown or revoked token) and 404 (unknown instance) make it
register again; 400 (not JSON), 413 (too big, more than 500 hits) and 422 (malformed) make it
drop the batch. Hits of probes the service does not have are dropped one by one and counted.
"""

import json
import math
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest
from ninja import Router
from ninja.security import HttpBearer

from tierline.errors import ActionError, InvalidInput, NotFound, PayloadTooLarge, PermissionDenied
from tierline.schemas import ERRORS

from .actions import do_record_agent_seen, do_record_statuses, do_register_instance, do_store_hits
from .queries import find_agent_token, find_instance
from .schemas import AcceptedOut, RegisterIn, RegisterOut, StatusIn

MAX_HITS = 500
HIT_KINDS = {"log": "message", "snapshot": "snapshot", "metric": None, "log_record": "record"}
METRIC_KEYS = ("name", "metric_type", "start", "end", "count", "sum", "min", "max", "value", "buckets")


class AgentBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        return find_agent_token(token)


router = Router(tags=["agents"], auth=AgentBearer())


@router.post("/agents/register", response={200: RegisterOut, **ERRORS})
def register(request, payload: RegisterIn):
    """An agent starting (or restarting) in a service: the token's service must be the agent's."""
    token = request.auth
    if payload.service != token.service:
        raise PermissionDenied(f"This agent token is for service {token.service!r}",
                               {"service": f"must be {token.service!r} for this token"})
    instance = do_register_instance(token, _clean(payload.model_dump()))  # a host or package may say anything
    return {"instance_id": instance.instance_id}


def _instance(request, instance_id):
    instance = find_instance(request.auth, instance_id)
    if instance is None:
        raise NotFound("Unknown instance: register again", {"instance_id": "not registered"})
    do_record_agent_seen(request.auth, instance)
    return instance


@router.post("/agents/status", response={200: AcceptedOut, **ERRORS})
def status(request, payload: StatusIn):
    """Each probe's status on one instance: installed, waiting, error (with the agent's message),
    expired, done; counters; whether the agent is throttled."""
    instance = _instance(request, payload.instance_id)
    reports = [{**r.model_dump(), "message": r.message[:4000]} for r in payload.probes]
    stored = do_record_statuses(instance, reports, throttled=payload.throttled)
    return {"stored": stored, "dropped": len(reports) - stored}


def _clean(value):
    """PostgreSQL's JSON cannot hold NUL characters: the agent's text may; they become U+FFFD."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    return value


def _timestamp(value) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    if not 0 < value < 32_503_680_000:  # year 3000
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def _hit(raw) -> dict | None:
    """A checked hit, or None for one to drop."""
    if not isinstance(raw, dict) or raw.get("kind") not in HIT_KINDS or not isinstance(raw.get("probe_id"), str):
        return None
    kind = raw["kind"]
    captured = _timestamp(raw.get("end") if kind == "metric" else raw.get("timestamp"))
    if captured is None:
        return None
    if kind == "metric":
        payload = {"metric": {k: raw[k] for k in METRIC_KEYS if k in raw}}
    else:
        key = HIT_KINDS[kind]
        value = raw.get(key)
        if not isinstance(value, str if key == "message" else dict):
            return None
        payload = {key: value}
    context = raw.get("context") if isinstance(raw.get("context"), dict) else {}
    return {"kind": kind, "probe_id": raw["probe_id"][:40], "captured_at": captured,
            "thread": str(raw.get("thread") or "")[:200], "location": str(raw.get("location") or "")[:500],
            "context": context, "payload": payload}


def read_hits(request) -> tuple[str, list[dict], int]:
    """(instance_id, checked hits, dropped while checking) from a hits body, or an ActionError."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > settings.PROBE_HITS_MAX_BYTES:
        raise PayloadTooLarge(f"A hit batch is at most {settings.PROBE_HITS_MAX_BYTES} bytes")
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise ActionError("The body is not JSON") from None
    if not isinstance(body, dict) or not isinstance(body.get("hits"), list):
        raise InvalidInput("Invalid hit batch", {"hits": "a list of hits"})
    if len(body["hits"]) > MAX_HITS:
        raise PayloadTooLarge(f"A batch has at most {MAX_HITS} hits", {"hits": f"at most {MAX_HITS}"})
    if not isinstance(body.get("instance_id"), str):
        raise InvalidInput("Invalid hit batch", {"instance_id": "required"})
    if b"\\u0000" in request.body:
        body = _clean(body)
    hits = [h for h in (_hit(raw) for raw in body["hits"]) if h is not None]
    return body["instance_id"], hits, len(body["hits"]) - len(hits)


@router.post("/agents/hits", response={200: AcceptedOut, **ERRORS},
             openapi_extra={"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}})
def hits(request):
    """A batch of at most 500 hits from one instance, stored in one insert."""
    instance_id, checked, dropped = read_hits(request)
    instance = _instance(request, instance_id)
    stored, unknown = do_store_hits(instance, checked)
    return {"stored": stored, "dropped": dropped + unknown}
