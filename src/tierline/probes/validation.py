"""Checking a probe before it is stored: the server's own rules (service, limits, scope, reason)
and the agent's parser (`tierline_agent.check_probe`: location syntax, kind-specific fields and
every expression, with line and column), so a probe the agent would refuse never reaches one.

`probe_problems(fields)` returns {field: message}; the actions raise one `InvalidInput` with all
of them (a 422 naming `condition`, `template`, `location`, `value`...).
"""

import re

from django.conf import settings
from tierline_agent import check_probe

from tierline.text import text_problems

from .models import Kind, MetricType

SERVICE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")
CAPTURE_LIMITS = {"max_depth": 10, "max_fields": 200, "max_items": 1000, "max_length": 10_000, "max_frames": 100,
                  "frames_with_locals": 10}
MAX_EXPRESSION = 2000
MAX_REASON = 2000
MAX_RATE = 1000.0


def _text_problems(fields: dict) -> dict[str, str]:
    names = ("location", "condition", "template", "value", "metric_name", "logger")
    return text_problems(fields, {**{name: MAX_EXPRESSION for name in names}, "reason": MAX_REASON})


def _limit_problems(fields: dict) -> dict[str, str]:
    problems = {}
    rate = fields.get("rate")
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 < rate <= MAX_RATE):
        problems["rate"] = f"hits per second, more than 0 and at most {MAX_RATE:g}"
    max_hits = fields.get("max_hits")
    if max_hits is not None and (isinstance(max_hits, bool) or not isinstance(max_hits, int)
                                 or not 1 <= max_hits <= 1_000_000_000):
        problems["max_hits"] = "a whole number from 1"
    capture = fields.get("capture") or {}
    if not isinstance(capture, dict):
        problems["capture"] = "an object of limits"
    else:
        for name, value in capture.items():
            if name not in CAPTURE_LIMITS:
                problems[f"capture.{name}"] = f"unknown limit; known: {', '.join(CAPTURE_LIMITS)}"
            elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= CAPTURE_LIMITS[name]:
                problems[f"capture.{name}"] = f"a whole number from 0 to {CAPTURE_LIMITS[name]}"
    return problems


def _narrowing_problems(fields: dict) -> dict[str, str]:
    problems = {}
    instances = fields.get("instance_ids") or []
    if not isinstance(instances, list) or not all(isinstance(i, str) and 0 < len(i) <= 64 for i in instances) \
            or len(instances) > 100:
        problems["instances"] = "a list of at most 100 instance ids"
    tags = fields.get("tags") or {}
    if not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items()) \
            or len(tags) > 20:
        problems["tags"] = "an object of at most 20 tag names and text values"
    return problems


def ttl_problem(ttl_seconds) -> str | None:
    limit = settings.PROBE_MAX_TTL_SECONDS
    if isinstance(ttl_seconds, bool) or not isinstance(ttl_seconds, (int, float)) or not 1 <= ttl_seconds <= limit:
        return f"seconds from 1 to {limit}"
    return None


def wire_definition(fields: dict) -> dict:
    """The fields the agent reads, as it reads them (kind-specific ones only)."""
    definition = {"kind": fields.get("kind")}
    kind = fields.get("kind")
    if kind != Kind.LOG_LEVEL:
        definition["location"] = fields.get("location") or ""
    if fields.get("condition"):
        definition["condition"] = fields["condition"]
    if kind == Kind.LOG:
        definition["template"] = fields.get("template") or ""
    elif kind == Kind.SNAPSHOT and fields.get("capture"):
        definition["capture"] = fields["capture"]
    elif kind == Kind.METRIC:
        definition["metric_type"] = fields.get("metric_type") or MetricType.COUNT
        if fields.get("value"):
            definition["value"] = fields["value"]
        if fields.get("metric_name"):
            definition["metric_name"] = fields["metric_name"]
    elif kind == Kind.LOG_LEVEL:
        definition["logger"] = fields.get("logger") or ""
    return definition


def probe_problems(fields: dict) -> dict[str, str]:
    """Everything wrong with a probe's fields (after a change: the probe's fields with the change)."""
    problems = {}
    if not isinstance(fields.get("service"), str) or not SERVICE.match(fields["service"]):
        problems["service"] = "a service name: letters, digits and _ . : - (at most 100)"
    if fields.get("kind") not in Kind.values:
        problems["kind"] = f"one of {', '.join(Kind.values)}"
    if not isinstance(fields.get("reason"), str) or not fields["reason"].strip():
        problems["reason"] = "say why the probe is needed (it is kept in the audit trail)"
    problems.update(_text_problems(fields))
    problems.update(_limit_problems(fields))
    problems.update(_narrowing_problems(fields))
    if "kind" not in problems and not any(k in problems for k in ("location", "condition", "template", "value")):
        problems.update({key.removeprefix("probe") or "probe": message
                         for key, message in check_probe(wire_definition(fields)).items()})
    return problems
