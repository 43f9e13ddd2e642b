"""Reads of live debugging: agents' authentication and probe sets (the wire protocol's hot path,
two queries per long poll), and the staff API's lists (each in a fixed number of queries)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from tierline.accounts.permissions import can_view_issue
from tierline.errors import NotFound

from .models import AgentInstance, AgentToken, Probe, ProbeHit, ProbeSet, ProbeStatus, parse_probe_id

AGENT_TOKEN_PREFIX = "tla_"


def _hash(secret: str) -> str:
    from .actions import hash_agent_token

    return hash_agent_token(secret)


def find_agent_token(secret: str) -> AgentToken | None:
    """The active agent token with this secret, or None."""
    if not secret or not secret.startswith(AGENT_TOKEN_PREFIX) or len(secret) > 200:
        return None
    return next(iter(AgentToken.objects.filter(token_hash=_hash(secret), revoked_at=None)[:1]), None)


def find_polling_instance(secret: str, instance_id: str) -> tuple[AgentToken | None, AgentInstance | None]:
    """The token and the instance of a long poll: one query when both are right (the usual case)."""
    return find_polling_instances([(secret, instance_id)])[0]


def find_polling_instances(pairs: list[tuple[str, str]]) -> list[tuple[AgentToken | None, AgentInstance | None]]:
    """(token, instance) for each (secret, instance id) pair, in one query when all are right; a
    wrong instance still names its token (None for a wrong token)."""
    hashes = [_hash(secret) if secret and secret.startswith(AGENT_TOKEN_PREFIX) and len(secret) <= 200 else None
              for secret, _ in pairs]
    wanted = {(h, i) for h, (_, i) in zip(hashes, pairs, strict=True)
              if h and isinstance(i, str) and 0 < len(i) <= 64}
    found = {}
    if wanted:
        for instance in AgentInstance.objects.select_related("token").filter(
                instance_id__in={i for _, i in wanted}, token__token_hash__in={h for h, _ in wanted},
                token__revoked_at=None):
            if instance.service == instance.token.service:
                found[(instance.token.token_hash, instance.instance_id)] = instance
    answers = []
    for h, (secret, instance_id) in zip(hashes, pairs, strict=True):
        instance = found.get((h, instance_id))
        answers.append((instance.token, instance) if instance else (find_agent_token(secret), None))
    return answers


def find_instance(token: AgentToken, instance_id) -> AgentInstance | None:
    if not isinstance(instance_id, str) or not 0 < len(instance_id) <= 64:
        return None
    return next(iter(AgentInstance.objects.filter(instance_id=instance_id, service=token.service)[:1]), None)


def probe_set_version(service: str) -> int:
    return next(iter(ProbeSet.objects.filter(service=service).values_list("version", flat=True)), 0)


def read_versions(services: list[str]) -> dict[str, int]:
    """The probe set version of each service (0 for one that never had a probe): one query."""
    found = dict(ProbeSet.objects.filter(service__in=services).values_list("service", "version"))
    return {service: found.get(service, 0) for service in services}


def runs_on(probe: Probe, instance: AgentInstance) -> bool:
    """Whether the probe is for this instance: not narrowed to other instances or other tags."""
    if probe.instance_ids and instance.instance_id not in probe.instance_ids:
        return False
    tags = instance.tags or {}
    return all(str(tags.get(k)) == v for k, v in (probe.tags or {}).items())


def active_probes(service: str) -> list[Probe]:
    """The service's probes that run: not removed, expired or completed (each instance runs those of
    them that `runs_on` it)."""
    return list(Probe.objects.filter(service=service, removed_at=None, completed_at=None,
                                     expires_at__gt=timezone.now()).select_related("organization").order_by("id"))


def list_agent_tokens():
    return AgentToken.objects.select_related("created_by").order_by("service", "-created_at")


def get_agent_token(token_id: int) -> AgentToken:
    token = AgentToken.objects.filter(pk=token_id).first() if 0 < token_id < 2**63 else None
    if token is None:
        raise NotFound("Agent token not found")
    return token


def is_live(instance: AgentInstance) -> bool:
    return timezone.now() - instance.last_seen_at <= timedelta(seconds=settings.AGENT_LIVE_SECONDS)


def list_services(*, seen_within_days: int = 7) -> list[tuple[str, list[AgentInstance]]]:
    """Services with agents seen recently, and their instances, newest first: one query."""
    since = timezone.now() - timedelta(days=seen_within_days)
    services: dict[str, list[AgentInstance]] = {}
    instances = AgentInstance.objects.filter(last_seen_at__gte=since).select_related("organization") \
        .order_by("service", "-last_seen_at")
    for instance in instances:
        services.setdefault(instance.service, []).append(instance)
    return sorted(services.items())


def get_probe_for_user(user, public_id: str) -> Probe:
    """The probe if the user may see its issue; NotFound otherwise (no existence leak)."""
    pk = parse_probe_id(public_id)
    probe = Probe.objects.select_related("issue__organization", "organization", "created_by") \
        .filter(pk=pk).first() if pk else None
    if probe is None or not can_view_issue(user, probe.issue):
        raise NotFound(f"Probe {public_id} not found")
    return probe


def load_probe(pk: int) -> Probe:
    """One probe as the API shows it, with its statuses and their instances."""
    statuses = ProbeStatus.objects.select_related("instance").order_by("instance__host", "instance_id")
    return Probe.objects.select_related("issue__organization", "organization", "created_by") \
        .prefetch_related(Prefetch("statuses", queryset=statuses)).get(pk=pk)


def list_issue_probes(issue) -> list[Probe]:
    """An issue's probes, newest first, with their statuses and instances: three queries."""
    statuses = ProbeStatus.objects.select_related("instance").order_by("instance__host", "instance_id")
    return list(Probe.objects.filter(issue=issue).select_related("organization", "created_by")
                .prefetch_related(Prefetch("statuses", queryset=statuses)).order_by("-created_at", "-id"))


def list_hits(issue, *, after: int = 0, probe: Probe | None = None, limit: int = 100) -> list[ProbeHit]:
    """Hits of an issue after hit id `after`, oldest first, with their probe and instance."""
    hits = ProbeHit.objects.filter(issue=issue, id__gt=after)
    if probe is not None:
        hits = hits.filter(probe=probe)
    return list(hits.select_related("instance").order_by("id")[:limit])


def has_hits_after(issue, after: int, probe: Probe | None = None) -> bool:
    hits = ProbeHit.objects.filter(issue=issue, id__gt=after)
    return (hits.filter(probe=probe) if probe is not None else hits).exists()
