"""`{% investigate_panel issue %}` on the desk issue page: the services with agents, the issue's
probes with their status per instance (and a chart for metric probes), the "Add a probe" form and
the hits so far, which static/probes/investigate.js keeps adding to. Nothing for roles that may not
set probes. Filters: `captured` (a captured-value tree), `captured_key`, `metric_summary`."""

import json
from datetime import UTC, datetime
from types import SimpleNamespace

from django import template

from tierline.accounts.permissions import has_perm
from tierline.charts.panels import HEIGHT, WIDTH, draw

from ..scope import organization_slug
from ._captured import captured_tree
from .panel_data import issue_probes, probe_hits, services_with_instances

register = template.Library()

KINDS = [("log", "Log line"), ("snapshot", "Snapshot"), ("metric", "Metric"), ("log_level", "Log level (DEBUG)")]
METRIC_TYPES = ["count", "gauge", "histogram", "duration"]
TTLS = [("900", "15 minutes"), ("3600", "1 hour"), ("14400", "4 hours"), ("86400", "1 day"), ("604800", "7 days")]
FORM_FIELDS = ("service", "kind", "location", "condition", "template", "metric_type", "value", "metric_name", "logger",
               "tags", "ttl_seconds", "max_hits", "all_customers", "reason")
SHOWN_HITS = 50


def _metric_value(metric: dict) -> float | None:
    """One number per interval: the sum (or count) for counts, the last value of a gauge, the mean
    of a histogram or duration."""
    kind = metric.get("metric_type", "count")
    if kind == "gauge":
        return metric.get("value")
    if kind in ("histogram", "duration"):
        return metric["sum"] / metric["count"] if metric.get("count") and metric.get("sum") is not None else None
    return metric.get("sum", metric.get("count"))


def metric_chart(probe: dict, hits: list[dict]) -> dict:
    """The metric probe's intervals as the metrics app's line chart (no normal band here); the
    series rides along for investigate.js to add intervals as they arrive."""
    points = []
    for hit in hits:
        metric = hit.get("metric") or {}
        value = _metric_value(metric)
        if hit["probe"] != probe["id"] or value is None or metric.get("end") is None:
            continue
        at = datetime.fromtimestamp(float(metric["end"]), tz=UTC)
        points.append(SimpleNamespace(at=at, value=float(value), low=None, high=None, is_outside=False))
    points.sort(key=lambda p: p.at)
    label = {"count": "count", "gauge": "value", "histogram": "mean", "duration": "mean ms"}.get(
        probe.get("metric_type") or "count", "value")
    return {"drawing": draw(points), "width": WIDTH, "height": HEIGHT, "points": len(points),
            "low": min((p.value for p in points), default=None), "high": max((p.value for p in points), default=None),
            "series": json.dumps([[p.at.timestamp(), p.value] for p in points]),
            "title": f"{probe.get('metric_name') or probe['id']} ({label} per interval)"}


def form_values(posted) -> dict:
    values = {"kind": "log", "ttl_seconds": "3600", "metric_type": "count"}
    if posted:
        values.update({name: posted.get(name, "") for name in FORM_FIELDS})
        values["all_customers"] = bool(posted.get("all_customers"))
        values["instance_ids"] = posted.getlist("instance_ids")
    return values


@register.inclusion_tag("probes/_panel.html", takes_context=True)
def investigate_panel(context, issue):
    user = context["request"].user
    if not (has_perm(user, "probe.manage") and has_perm(user, "probe.view_hits")):
        return {"can_investigate": False}
    services = services_with_instances(user)
    for service in services:
        service["live_count"] = sum(1 for i in service["instances"] if i["is_live"])
    probes = issue_probes(user, issue)
    hits = probe_hits(user, issue, limit=SHOWN_HITS)
    for probe in probes:
        probe["chart"] = metric_chart(probe, hits) if probe["kind"] == "metric" else None
    errors = dict(context.get("probe_errors") or {})
    shown = {*FORM_FIELDS, "instances"}
    return {
        "can_investigate": True, "issue": issue, "csrf_token": context.get("csrf_token"),
        "organization_slug": organization_slug(issue.organization), "services": services, "probes": probes,
        "hits": list(reversed(hits)), "last_hit_id": max((h["id"] for h in hits), default=0),
        "kinds": KINDS, "metric_types": METRIC_TYPES, "ttls": TTLS,
        "values": form_values(context.get("probe_values")), "error": context.get("probe_error"), "errors": errors,
        "other_errors": [(k, v) for k, v in errors.items() if k not in shown],
    }


@register.inclusion_tag("probes/_field_error.html")
def field_error(errors, name):
    return {"message": (errors or {}).get(name), "id": name}


@register.filter
def captured(values):
    return captured_tree(values)


@register.filter
def captured_key(snapshot, key):
    """One entry of a snapshot (its return value or exception) as a tree."""
    return captured_tree({key: (snapshot or {}).get(key)})


@register.filter
def metric_summary(metric) -> str:
    metric = metric or {}
    parts = [f"{metric.get('name', '')} {metric.get('metric_type', '')}".strip(), f"count {metric.get('count', 0)}"]
    parts += [f"{field} {metric[field]}" for field in ("sum", "value", "min", "max") if metric.get(field) is not None]
    return ", ".join(parts)
