"""Live debugging's REST endpoints under /api/v1.

Staff: /agents/services, /agent-tokens (admins), /issues/{key}/probes, /probes/{id},
/issues/{key}/probe-hits (engineering roles; with `wait` a long poll for new hits). Who may do
what: `probe.view` (every staff role: an issue's probes and statuses, the services),
`probe.manage` and `probe.view_hits` (engineers tier 4 and 5, admins), `agent_token.manage`
(admins). Customers never see probes. The agents' own endpoints are in `wire.py`.
"""

import time

from django.db.models import prefetch_related_objects
from ninja import Query, Router, Status

from tierline.accounts.permissions import has_perm
from tierline.accounts.schemas import user_ref
from tierline.errors import PermissionDenied
from tierline.issues.queries import get_issue_for_user
from tierline.schemas import ERRORS

from .actions import do_change_probe, do_create_agent_token, do_create_probe, do_remove_probe, do_revoke_agent_token
from .queries import (
    get_agent_token,
    get_probe_for_user,
    has_hits_after,
    is_live,
    list_agent_tokens,
    list_hits,
    list_issue_probes,
    list_services,
    load_probe,
)
from .schemas import (
    AgentTokenCreated,
    AgentTokenIn,
    AgentTokenOut,
    HitsOut,
    ProbeChangeIn,
    ProbeIn,
    ProbeOut,
    RemoveIn,
    ServiceOut,
)
from .scope import organization_slug
from .wire import router as wire_router

router = Router(tags=["probes"])
router.add_router("/", wire_router)
MAX_HIT_WAIT = 25
HIT_POLL_SECONDS = 0.5


def _require(user, permission: str, message: str) -> None:
    if not has_perm(user, permission):
        raise PermissionDenied(message)


def status_out(status) -> dict:
    return {"instance_id": status.instance.instance_id, "host": status.instance.host, "status": status.status,
            "message": status.message, "hits": status.hits, "rate_limited": status.rate_limited,
            "is_throttled": status.is_throttled, "version": status.version, "updated_at": status.updated_at}


def probe_out(probe) -> dict:
    return {
        "id": probe.public_id, "issue": probe.issue.key, "service": probe.service, "kind": probe.kind,
        "location": probe.location, "condition": probe.condition, "template": probe.template,
        "metric_type": probe.metric_type, "value": probe.value, "metric_name": probe.metric_name,
        "logger": probe.logger, "capture": probe.capture, "rate": probe.rate, "max_hits": probe.max_hits,
        "instances": probe.instance_ids, "tags": probe.tags,
        "scope": {"organization": organization_slug(probe.organization), "all_customers": probe.all_customers},
        "reason": probe.reason, "expires_at": probe.expires_at, "version": probe.version,
        "is_active": probe.is_active, "created_by": user_ref(probe.created_by), "created_at": probe.created_at,
        "updated_at": probe.updated_at, "removed_at": probe.removed_at, "completed_at": probe.completed_at,
        "hits": probe.hit_count, "statuses": [status_out(s) for s in probe.statuses.all()],
    }


def _probe_issue(request, key: str):
    issue = get_issue_for_user(request.auth, key)
    _require(request.auth, "probe.view", "Only staff see probes")
    return issue


@router.get("/issues/{key}/probes", response={200: list[ProbeOut], **ERRORS})
def get_probes(request, key: str):
    """The issue's probes, newest first, with each agent instance's status."""
    issue = _probe_issue(request, key)
    probes = list_issue_probes(issue)
    for probe in probes:
        probe.issue = issue
    return [probe_out(p) for p in probes]


@router.post("/issues/{key}/probes", response={201: ProbeOut, **ERRORS})
def create_probe(request, key: str, payload: ProbeIn):
    """Add a probe to a service for this issue. It fires only for the issue's organization unless
    `all_customers` is true; `reason` is required (audited). 422 names the failing fields."""
    issue = _probe_issue(request, key)
    _require(request.auth, "probe.manage", "Only engineers add probes")
    data = payload.model_dump()
    data["instance_ids"] = data.pop("instances")
    probe = do_create_probe(issue, actor=request.auth, **data)
    probe.issue = issue
    prefetch_related_objects([probe], "statuses")
    return Status(201, probe_out(probe))


def _managed_probe(request, probe_id: str):
    probe = get_probe_for_user(request.auth, probe_id)
    _require(request.auth, "probe.view", "Only staff see probes")
    _require(request.auth, "probe.manage", "Only engineers change probes")
    return probe


@router.patch("/probes/{probe_id}", response={200: ProbeOut, **ERRORS})
def change_probe(request, probe_id: str, payload: ProbeChangeIn):
    """Change a probe's expressions, limits or narrowing, or its end (`extend_seconds` or
    `expires_at`); `reason` is required. Its version goes up: agents reinstall it."""
    probe = _managed_probe(request, probe_id)
    changes = payload.model_dump(exclude_unset=True)
    reason = changes.pop("reason", "")
    if "instances" in changes:
        changes["instance_ids"] = changes.pop("instances") or []
    if "tags" in changes:
        changes["tags"] = changes["tags"] or {}
    probe = do_change_probe(probe, actor=request.auth, reason=reason, **changes)
    return probe_out(load_probe(probe.pk))


@router.delete("/probes/{probe_id}", response={200: ProbeOut, **ERRORS})
def remove_probe(request, probe_id: str, reason: str = "", payload: RemoveIn | None = None):
    """Remove a probe from every agent; the reason comes as `?reason=` or in the body."""
    probe = _managed_probe(request, probe_id)
    probe = do_remove_probe(probe, actor=request.auth, reason=reason or (payload.reason if payload else ""))
    return probe_out(load_probe(probe.pk))


def hit_out(hit) -> dict:
    out = {"id": hit.pk, "probe": f"p-{hit.probe_id}", "kind": hit.kind, "captured_at": hit.captured_at,
           "instance_id": hit.instance.instance_id if hit.instance_id else None,
           "host": hit.instance.host if hit.instance_id else "", "thread": hit.thread, "location": hit.location,
           "context": hit.context}
    out.update(hit.payload)  # message, snapshot (with the agent's `redacted` markers), metric or record
    return out


@router.get("/issues/{key}/probe-hits", response={200: HitsOut, **ERRORS})
def get_probe_hits(request, key: str, after: int = Query(0, ge=0, le=2**62), probe: str = "",
                   wait: float = Query(0, ge=0, le=MAX_HIT_WAIT), limit: int = Query(100, ge=1, le=500)):
    """Hits after hit id `after`, oldest first; `wait` (seconds, at most 25) holds the request
    until a new hit arrives (the `--follow` of the CLI and the issue page's live list)."""
    issue = get_issue_for_user(request.auth, key)
    _require(request.auth, "probe.view_hits", "Only engineers see probe hits")
    only = get_probe_for_user(request.auth, probe) if probe else None
    deadline = time.monotonic() + wait
    while wait and not has_hits_after(issue, after, only) and time.monotonic() < deadline:
        time.sleep(HIT_POLL_SECONDS)
    hits = list_hits(issue, after=after, probe=only, limit=limit)
    return {"hits": [hit_out(h) for h in hits], "last_id": hits[-1].pk if hits else after}


def instance_out(instance) -> dict:
    return {"instance_id": instance.instance_id, "host": instance.host, "pid": instance.pid,
            "python": instance.python, "implementation": instance.implementation, "os": instance.os,
            "agent_version": instance.agent_version, "tags": instance.tags,
            "organization": organization_slug(instance.organization), "registered_at": instance.registered_at,
            "last_seen_at": instance.last_seen_at, "is_live": is_live(instance)}


@router.get("/agents/services", response={200: list[ServiceOut], **ERRORS})
def get_services(request):
    """Services with agents seen in the last 7 days, and their instances (live: seen lately)."""
    _require(request.auth, "probe.view", "Only staff see agents")
    return [{"service": s, "instances": [instance_out(i) for i in instances]} for s, instances in list_services()]


def token_out(token) -> dict:
    return {"id": token.pk, "service": token.service, "name": token.name, "prefix": token.prefix,
            "created_by": user_ref(token.created_by), "created_at": token.created_at,
            "last_used_at": token.last_used_at, "revoked_at": token.revoked_at}


@router.get("/agent-tokens", response={200: list[AgentTokenOut], **ERRORS})
def get_agent_tokens(request):
    _require(request.auth, "agent_token.manage", "Only admins manage agent tokens")
    return [token_out(t) for t in list_agent_tokens()]


@router.post("/agent-tokens", response={201: AgentTokenCreated, **ERRORS})
def create_agent_token(request, payload: AgentTokenIn):
    """A token for one service's agents; the secret is in this answer only."""
    _require(request.auth, "agent_token.manage", "Only admins manage agent tokens")
    token, secret = do_create_agent_token(service=payload.service, name=payload.name, actor=request.auth)
    return Status(201, {**token_out(token), "token": secret})


@router.delete("/agent-tokens/{token_id}", response={200: AgentTokenOut, **ERRORS})
def revoke_agent_token(request, token_id: int):
    _require(request.auth, "agent_token.manage", "Only admins manage agent tokens")
    return token_out(do_revoke_agent_token(get_agent_token(token_id), actor=request.auth))
