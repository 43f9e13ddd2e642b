"""Every write of live debugging. Staff side: agent tokens (audited), probes (row + timeline event
+ audit entry + the service's `ProbeSet` bump in one transaction; agents are told on commit).
Agent side (the wire protocol, see agent/src/tierline_agent/README.md): registration (the runtime
report becomes the organization's environment), statuses, hits, and their expiry.

Hits on the timeline: the first hit of each probe writes one `probe_hit` event (with the hit's id);
every hit is a `ProbeHit` row, listed by `queries.list_hits` and `/issues/{key}/probe-hits`.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tierline.accounts.models import User
from tierline.audit.actions import AuditAction, do_record_audit
from tierline.bulk import insert_rows, update_rows
from tierline.customers.actions import do_update_environment
from tierline.errors import InvalidInput
from tierline.issues.models import EventKind, Issue, IssueEvent

from .models import AgentInstance, AgentToken, Probe, ProbeHit, ProbeSet, ProbeStatus, parse_probe_id
from .notify import announce_probe_set
from .scope import environment_facts, organization_for_tags, organization_slug
from .validation import SERVICE, probe_problems, ttl_problem

AGENT_TOKEN_PREFIX = "tla_"
DEFAULT_TTL_SECONDS = 3600
SEEN_RESOLUTION = timedelta(seconds=30)  # last_seen_at is written at most this often per instance
PROBE_FIELDS = ("service", "kind", "location", "condition", "template", "metric_type", "value", "metric_name",
                "logger", "capture", "rate", "max_hits", "instance_ids", "tags")
CHANGEABLE = ("condition", "template", "value", "metric_name", "capture", "rate", "max_hits", "instance_ids", "tags")


def hash_agent_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def do_create_agent_token(*, service: str, name: str = "", actor: User | None) -> tuple[AgentToken, str]:
    """The token row and its secret: shown once, only its hash is kept."""
    service = (service or "").strip()
    if not SERVICE.match(service):
        raise InvalidInput("Invalid service", {"service": "letters, digits and _ . : - (at most 100)"})
    secret = AGENT_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AgentToken.objects.create(service=service, name=(name or "").strip()[:100], prefix=secret[:12],
                                      token_hash=hash_agent_token(secret), created_by=actor)
    do_record_audit(action=AuditAction.AGENT_TOKEN_CREATED, actor=actor, target=token, target_id=token.prefix,
                    data={"service": service, "name": token.name})
    return token, secret


@transaction.atomic
def do_revoke_agent_token(token: AgentToken, *, actor: User | None) -> AgentToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        do_record_audit(action=AuditAction.AGENT_TOKEN_REVOKED, actor=actor, target=token, target_id=token.prefix,
                        data={"service": token.service})
    return token


def do_record_agent_seen(token: AgentToken, instance: AgentInstance | None = None) -> None:
    """Last used / last seen, written at most every SEEN_RESOLUTION: not a write per long poll."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > SEEN_RESOLUTION:
        AgentToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    if instance is not None and now - instance.last_seen_at > SEEN_RESOLUTION:
        AgentInstance.objects.filter(pk=instance.pk).update(last_seen_at=now)
        instance.last_seen_at = now


def _bump_probe_set(service: str) -> int:
    """Next version of the service's probe set, in the caller's transaction; agents hear of it on commit."""
    ProbeSet.objects.bulk_create([ProbeSet(service=service)], ignore_conflicts=True)
    ProbeSet.objects.filter(service=service).update(version=F("version") + 1)
    version = ProbeSet.objects.filter(service=service).values_list("version", flat=True).get()
    transaction.on_commit(lambda: announce_probe_set(service, version))
    return version


def _scope_data(probe: Probe) -> dict:
    return {"organization": organization_slug(probe.organization), "all_customers": probe.all_customers}


def _record(probe: Probe, kind: str, audit: str, *, actor: User | None, reason: str, data: dict) -> None:
    summary = {"probe": probe.public_id, "service": probe.service, "kind": probe.kind,
               "location": probe.location or f"logger {probe.logger or '(all)'}", "scope": _scope_data(probe),
               "reason": reason, **data}
    IssueEvent.objects.create(issue=probe.issue, kind=kind, actor=actor, data=summary, created_at=probe.updated_at)
    do_record_audit(action=audit, actor=actor, organization=probe.issue.organization, target=probe,
                    target_id=probe.public_id, reason=reason, data=summary)


def _checked(fields: dict) -> dict:
    problems = probe_problems(fields)
    if problems:
        raise InvalidInput("Invalid probe", problems)
    return fields


@transaction.atomic
def do_create_probe(issue: Issue, *, actor: User | None, reason: str, all_customers: bool = False,
                    ttl_seconds: float = DEFAULT_TTL_SECONDS, **fields) -> Probe:
    """A probe on the issue's service code. It fires only for the issue's organization unless
    `all_customers` is given explicitly (an issue without organization needs it too)."""
    fields = {name: fields.get(name) for name in PROBE_FIELDS}
    fields["service"] = (fields["service"] or "").strip() if isinstance(fields["service"], str) else fields["service"]
    _checked({**fields, "reason": reason})
    problems = {}
    if (problem := ttl_problem(ttl_seconds)) is not None:
        problems["ttl_seconds"] = problem
    if issue.organization_id is None and not all_customers:
        problems["all_customers"] = "this issue has no organization: a probe on it fires for every customer, " \
                                    "so say so with all_customers: true"
    if problems:
        raise InvalidInput("Invalid probe", problems)
    now = timezone.now()
    probe = Probe.objects.create(
        issue=issue, reason=reason.strip(), all_customers=bool(all_customers), created_by=actor,
        organization=None if all_customers else issue.organization, created_at=now, updated_at=now,
        expires_at=now + timedelta(seconds=ttl_seconds),
        **{k: (v if v is not None else Probe._meta.get_field(k).get_default()) for k, v in fields.items()},
    )
    _bump_probe_set(probe.service)
    _record(probe, EventKind.PROBE_ADDED, AuditAction.PROBE_CREATED, actor=actor, reason=probe.reason,
            data={"expires_at": probe.expires_at.isoformat(), "condition": probe.condition})
    return probe


def _new_expiry(probe: Probe, now: datetime, extend_seconds, expires_at) -> datetime | None:
    if extend_seconds is None and expires_at is None:
        return None
    new = expires_at if expires_at is not None else max(probe.expires_at, now) + timedelta(seconds=extend_seconds)
    if extend_seconds is not None and (problem := ttl_problem(extend_seconds)):
        raise InvalidInput("Invalid probe", {"extend_seconds": problem})
    if not now < new <= now + timedelta(seconds=settings.PROBE_MAX_TTL_SECONDS):
        raise InvalidInput("Invalid probe", {"expires_at" if expires_at else "extend_seconds":
                                             f"the probe must end within {settings.PROBE_MAX_TTL_SECONDS} s from now"})
    return new


def _locked(probe: Probe) -> Probe:
    # of=self: PostgreSQL locks no row of the nullable joined tables.
    return Probe.objects.select_for_update(of=("self",)).select_related("issue__organization", "organization") \
        .get(pk=probe.pk)


@transaction.atomic
def do_change_probe(probe: Probe, *, actor: User | None, reason: str, extend_seconds: float | None = None,
                    expires_at: datetime | None = None, **changes) -> Probe:
    """Change a live probe's expressions, limits, narrowing or end; its version goes up so every
    agent reinstalls it."""
    probe = _locked(probe)
    if probe.removed_at is not None:
        raise InvalidInput("This probe was removed", {"probe": "removed probes cannot change"})
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise InvalidInput("Unknown fields", dict.fromkeys(sorted(unknown), "cannot be changed"))
    fields = {name: getattr(probe, name) for name in PROBE_FIELDS}
    _checked({**fields, **changes, "reason": reason})
    now = timezone.now()
    new_expiry = _new_expiry(probe, now, extend_seconds, expires_at)
    changed = {k: v for k, v in changes.items() if v != getattr(probe, k)}
    if new_expiry is not None:
        changed["expires_at"] = new_expiry
    for name, value in changed.items():
        setattr(probe, name, value)
    probe.reason, probe.version, probe.updated_at = reason.strip(), probe.version + 1, now
    if "max_hits" in changed and (probe.max_hits is None or probe.hit_count < probe.max_hits):
        probe.completed_at = None
    probe.save()
    _bump_probe_set(probe.service)
    _record(probe, EventKind.PROBE_CHANGED, AuditAction.PROBE_CHANGED, actor=actor, reason=probe.reason,
            data={"changed": sorted(changed), "version": probe.version, "expires_at": probe.expires_at.isoformat()})
    return probe


@transaction.atomic
def do_remove_probe(probe: Probe, *, actor: User | None, reason: str) -> Probe:
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput("Invalid removal", {"reason": "say why the probe is removed"})
    probe = _locked(probe)
    if probe.removed_at is not None:
        return probe
    probe.removed_at = probe.updated_at = timezone.now()
    probe.save(update_fields=["removed_at", "updated_at"])
    _bump_probe_set(probe.service)
    _record(probe, EventKind.PROBE_REMOVED, AuditAction.PROBE_REMOVED, actor=actor, reason=reason.strip(),
            data={"hits": probe.hit_count})
    return probe


@transaction.atomic
def do_register_instance(token: AgentToken, report: dict) -> AgentInstance:
    """An agent's registration (`report` checked by the wire schema). When a tag names an
    organization, its runtime report is merged into that organization's environment."""
    now = timezone.now()
    values = {name: report.get(name) for name in ("host", "pid", "python", "implementation", "os", "agent_version",
                                                  "tags", "packages")}
    organization = organization_for_tags(values["tags"] or {})
    instance, _ = AgentInstance.objects.update_or_create(
        instance_id=report["instance_id"],
        defaults={**{k: v for k, v in values.items() if v is not None}, "service": token.service, "token": token,
                  "organization": organization, "registered_at": now, "last_seen_at": now})
    if organization is not None:
        facts = environment_facts(report)
        known = organization.environment or {}
        if any((known.get(k) or {}).get("value") != v for k, v in facts.items()):
            do_update_environment(organization, facts, source="agent")
    do_record_agent_seen(token)
    return instance


def _probe_pks(public_ids) -> set[int]:
    """The row ids of the probe ids an agent sent (`p-7`); malformed ones are left out."""
    return {pk for pk in (parse_probe_id(i) for i in public_ids) if pk is not None}


def _known_probes(service: str, public_ids) -> dict[str, Probe]:
    """The probes of this service among the ids an agent sent, by public id."""
    pks = _probe_pks(public_ids)
    probes = Probe.objects.filter(pk__in=pks, service=service).only(
        "id", "issue_id", "service", "max_hits", "hit_count", "first_hit_at", "completed_at") if pks else []
    return {p.public_id: p for p in probes}


def do_record_statuses(instance: AgentInstance, reports: list[dict], *, throttled: bool) -> int:
    """Upsert the instance's status of each probe it reports (unknown ids are ignored); returns
    how many were stored."""
    return do_record_status_reports([(instance, reports, throttled)])[0]


@transaction.atomic
def do_record_status_reports(batch: list[tuple[AgentInstance, list[dict], bool]]) -> list[int]:
    """`do_record_statuses` for the reports of many instances (instance, reports, throttled) at
    once, in a fixed number of statements: reports arriving together are stored together. Returns
    how many of each were stored."""
    pks = _probe_pks(r["id"] for _, reports, _ in batch for r in reports)
    probes = {p.public_id: p for p in Probe.objects.filter(pk__in=pks).only("id", "service")} if pks else {}
    instance_pks = {instance.pk for instance, _, _ in batch}
    existing = {(s.instance_id, s.probe_id): s for s in ProbeStatus.objects.filter(
        instance_id__in=instance_pks, probe_id__in=[p.pk for p in probes.values()])} if probes else {}
    now, changed, created, stored = timezone.now(), {}, {}, []
    for instance, reports, throttled in batch:
        keys = set()
        for report in reports:
            probe = probes.get(report["id"])
            if probe is None or probe.service != instance.service:
                continue
            # The agent's message may quote anything, NUL included, which PostgreSQL text cannot hold.
            values = {"version": report["version"], "status": report["status"],
                      "message": report["message"].replace("\x00", "\ufffd"), "hits": report["hits"],
                      "rate_limited": report["rate_limited"], "is_throttled": throttled, "updated_at": now}
            key = (instance.pk, probe.pk)
            status = existing.get(key)
            if status is None:
                status = existing[key] = created[key] = ProbeStatus(probe=probe, instance=instance, **values)
            else:
                for name, value in values.items():
                    setattr(status, name, value)
                if key not in created:
                    changed[key] = status
            keys.add(key)
        stored.append(len(keys))
    ProbeStatus.objects.bulk_create(list(created.values()))
    update_rows(list(changed.values()),
                ["version", "status", "message", "hits", "rate_limited", "is_throttled", "updated_at"])
    return stored


def _first_hit_events(probes: dict[str, Probe], firsts: dict[str, dict], now: datetime) -> list[IssueEvent]:
    events = []
    for public_id, hit in firsts.items():
        probe = probes[public_id]
        if Probe.objects.filter(pk=probe.pk, first_hit_at=None).update(first_hit_at=now):  # one winner per probe
            events.append(IssueEvent(issue_id=probe.issue_id, kind=EventKind.PROBE_HIT, created_at=now, data={
                "probe": public_id, "kind": hit["kind"], "captured_at": hit["captured_at"].isoformat(),
                "host": hit["host"], "message": str(hit["payload"].get("message", ""))[:300]}))
    return events


@transaction.atomic
def do_store_hits(instance: AgentInstance, hits: list[dict]) -> tuple[int, int]:
    """Store a batch of checked hits in one insert; hits of probes this service does not have
    are dropped and counted. Returns (stored, dropped). A probe whose stored hits reach its
    max_hits is completed: no longer delivered to agents."""
    probes = _known_probes(instance.service, {h["probe_id"] for h in hits})
    now, rows, counts, firsts = timezone.now(), [], {}, {}
    for hit in hits:
        probe = probes.get(hit["probe_id"])
        if probe is None:
            continue
        rows.append(ProbeHit(probe_id=probe.pk, issue_id=probe.issue_id, instance_id=instance.pk, kind=hit["kind"],
                             captured_at=hit["captured_at"], received_at=now, thread=hit["thread"],
                             location=hit["location"], context=hit["context"], payload=hit["payload"]))
        counts[hit["probe_id"]] = counts.get(hit["probe_id"], 0) + 1
        if probe.first_hit_at is None:
            firsts.setdefault(hit["probe_id"], {**hit, "host": instance.host})
    insert_rows(rows)
    for public_id, count in counts.items():
        Probe.objects.filter(pk=probes[public_id].pk).update(hit_count=F("hit_count") + count)
    IssueEvent.objects.bulk_create(_first_hit_events(probes, firsts, now))
    completed = Probe.objects.filter(pk__in=[probes[i].pk for i in counts], completed_at=None, max_hits__isnull=False,
                                     hit_count__gte=F("max_hits"))
    for service in set(completed.values_list("service", flat=True)):
        completed.update(completed_at=now)
        _bump_probe_set(service)
    return len(rows), len(hits) - len(rows)


def do_expire_hits(now: datetime | None = None, batch: int = 5000) -> int:
    """Delete hits received more than TIERLINE_PROBE_HIT_RETENTION_DAYS ago, a batch per transaction."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.PROBE_HIT_RETENTION_DAYS)
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(ProbeHit.objects.filter(received_at__lt=cutoff).values_list("pk", flat=True)[:batch])
            if not ids:
                return deleted
            deleted += ProbeHit.objects.filter(pk__in=ids).delete()[0]
