"""What the Investigate panel reads, in the shapes the staff API answers (so the page and
static/probes/investigate.js draw the same fields): services with their instances, the issue's
probes with statuses, and the newest hits."""

from ..api import hit_out, instance_out, probe_out
from ..models import ProbeHit
from ..queries import list_issue_probes, list_services


def services_with_instances(user) -> list[dict]:
    return [{"service": s, "instances": [instance_out(i) for i in instances]} for s, instances in list_services()]


def issue_probes(user, issue) -> list[dict]:
    probes = list_issue_probes(issue)
    for probe in probes:
        probe.issue = issue
    return [probe_out(p) for p in probes]


def probe_hits(user, issue, *, limit: int) -> list[dict]:
    """The issue's newest `limit` hits, oldest first (the live list then adds the ones after)."""
    hits = ProbeHit.objects.filter(issue=issue).select_related("instance").order_by("-id")[:limit]
    return [hit_out(h) for h in reversed(list(hits))]
