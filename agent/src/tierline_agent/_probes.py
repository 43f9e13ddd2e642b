"""Probes as plain dataclasses, and their parsing from the wire format (see README.md).

A probe is a location (`LineLocation` or `FunctionLocation`; none for a log level probe), a kind
(log, snapshot, metric, log_level) with its settings, an optional condition, and limits.
`parse_probe(dict)` validates everything, including expressions, and raises `ProbeError` with a
message the server shows to the engineer.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from ._expressions import Expression, ExpressionError, Template, compile_expression, compile_template

KINDS = ("log", "snapshot", "metric", "log_level")
METRIC_TYPES = ("count", "gauge", "histogram", "duration")
DEFAULT_RATE = {"log": 100.0, "snapshot": 1.0, "metric": None, "log_level": 100.0}
DEFAULT_TTL_SECONDS = 3600.0


class ProbeError(ValueError):
    """A probe definition that cannot be used; `line`/`column` point into an expression."""

    def __init__(self, message: str, field_name: str = "", line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.field_name, self.line, self.column = field_name, line, column


@dataclass(frozen=True)
class LineLocation:
    path: str  # a path suffix: "shop/views.py" matches ".../src/shop/views.py"
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class FunctionLocation:
    module: str
    qualname: str  # "Cart.total", "make_handler.<locals>.handler" or "make_handler.handler"

    def __str__(self) -> str:
        return f"{self.module}:{self.qualname}"


@dataclass(frozen=True)
class CaptureLimits:
    max_depth: int = 3
    max_fields: int = 20
    max_items: int = 100
    max_length: int = 255
    max_frames: int = 30
    frames_with_locals: int = 3


@dataclass(frozen=True)
class Probe:
    id: str
    kind: str
    location: LineLocation | FunctionLocation | None = None
    condition: Expression | None = None
    template: Template | None = None  # log
    capture: CaptureLimits = field(default_factory=CaptureLimits)  # snapshot
    metric_name: str = ""  # metric
    metric_type: str = "count"
    metric_value: Expression | None = None
    logger: str = ""  # log_level: "" means every logger
    rate: float | None = None  # hits per second; None means unlimited
    max_hits: int | None = None
    expires_at: float = 0.0  # wall clock seconds
    version: int = 0


def parse_location(text: str) -> LineLocation | FunctionLocation:
    """`path/to/file.py:LINE` or `package.module:function`."""
    if not isinstance(text, str) or ":" not in text:
        raise ProbeError("location must be 'path/to/file.py:LINE' or 'package.module:function'", "location")
    head, _, tail = text.rpartition(":")
    if tail.strip().isdigit():
        if not head.endswith(".py"):
            raise ProbeError("a line location needs a .py file path", "location")
        line = int(tail)
        if line < 1:
            raise ProbeError("line numbers start at 1", "location")
        return LineLocation(head.replace("\\", "/").lstrip("./") or head, line)
    if not head or not tail or not all(p.isidentifier() for p in head.split(".")):
        raise ProbeError(f"bad function location {text!r}", "location")
    return FunctionLocation(head, tail)


def _expression(data: dict, key: str) -> Expression | None:
    source = data.get(key)
    if source in (None, ""):
        return None
    try:
        return compile_expression(source)
    except ExpressionError as error:
        raise ProbeError(f"{key}: {error}", key, error.line, error.column) from None


_EXIT_NAMES = frozenset({"_return", "_exception", "_duration"})


def _check_names(kind, location, condition, template, metric_value) -> None:
    """Names that cannot exist where the probe runs are an error now, not at the first hit."""
    expressions = [("condition", condition), ("value", metric_value)]
    if template is not None:
        expressions += [("template", p) for p in template.parts if isinstance(p, Expression)]
    for field_name, expression in expressions:
        if expression is None:
            continue
        if kind == "log_level" and expression.names - {"ctx"}:
            names = ", ".join(sorted(expression.names - {"ctx"}))
            raise ProbeError(f"{field_name}: a log level probe can only use ctx, not {names}", field_name)
        if isinstance(location, LineLocation) and expression.names & _EXIT_NAMES:
            names = ", ".join(sorted(expression.names & _EXIT_NAMES))
            raise ProbeError(f"{field_name}: {names} exist only at a function location's exit", field_name)


def parse_probe(data: dict, now: float | None = None) -> Probe:
    if not isinstance(data, dict):
        raise ProbeError("a probe is a JSON object")
    probe_id = str(data.get("id") or "")
    if not probe_id:
        raise ProbeError("probe needs an id", "id")
    kind = data.get("kind")
    if kind not in KINDS:
        raise ProbeError(f"kind must be one of {', '.join(KINDS)}", "kind")
    location = None
    if kind != "log_level":
        location = parse_location(data.get("location", ""))
    condition = _expression(data, "condition")
    template = None
    if kind == "log":
        try:
            template = compile_template(str(data.get("template") or ""))
        except ExpressionError as error:
            raise ProbeError(f"template: {error}", "template", error.line, error.column) from None
        if not template.parts:
            raise ProbeError("a log probe needs a template", "template")
    capture = CaptureLimits()
    if isinstance(data.get("capture"), dict):
        known = {k: int(v) for k, v in data["capture"].items() if k in CaptureLimits.__dataclass_fields__}
        capture = CaptureLimits(**known)
    metric_type, metric_value = "count", None
    if kind == "metric":
        metric_type = data.get("metric_type", "count")
        if metric_type not in METRIC_TYPES:
            raise ProbeError(f"metric_type must be one of {', '.join(METRIC_TYPES)}", "metric_type")
        metric_value = _expression(data, "value")
        if metric_type in ("gauge", "histogram") and metric_value is None:
            raise ProbeError(f"a {metric_type} metric needs a value expression", "value")
        if metric_type == "duration" and not isinstance(location, FunctionLocation):
            raise ProbeError("a duration metric needs a function location", "location")
    _check_names(kind, location, condition, template, metric_value)
    now = time.time() if now is None else now
    expires_at = float(data.get("expires_at") or 0) or now + float(data.get("ttl_seconds") or DEFAULT_TTL_SECONDS)
    rate = data.get("rate", DEFAULT_RATE[kind])
    max_hits = data.get("max_hits")
    return Probe(
        id=probe_id, kind=kind, location=location, condition=condition, template=template, capture=capture,
        metric_name=str(data.get("metric_name") or probe_id), metric_type=metric_type, metric_value=metric_value,
        logger=str(data.get("logger") or ""), rate=None if rate is None else float(rate),
        max_hits=None if max_hits is None else int(max_hits), expires_at=expires_at,
        version=int(data.get("version") or 0),
    )
