"""Turn raw hits from the queue into redacted wire hits (README.md, "hits"), off the app thread.

Queue items are `(kind, probe, timestamp, payload, request_context, thread_id)` where the
payload is what the emitter captured: log values, a snapshot, or a shipped log record.
"""
from __future__ import annotations

import threading

from ._capture import capture_value
from ._emitters import FailedValue
from ._probes import CaptureLimits
from ._redaction import MARKER, Redactor

_RENDER_LIMITS = CaptureLimits(max_depth=2, max_fields=10, max_items=20)


def render(value, limit: int = 255) -> str:
    """Short text for a log message, built from plain values only (no `__repr__` of app objects)."""
    kind = type(value)
    if kind is str:
        text = value
    elif kind in (type(None), bool, int, float):
        text = repr(value)
    elif kind is bytes:
        text = repr(value[:limit])
    elif kind is dict and "type" in value:  # a captured value
        text = _render_captured(value)
    else:
        text = _render_captured(capture_value(value, _RENDER_LIMITS))
    return text if len(text) <= limit else text[:limit] + "..."


def _render_captured(captured: dict) -> str:
    if captured.get("redacted"):
        return MARKER
    if "value" in captured:
        value = captured["value"]
        return value if captured["type"] == "str" else repr(value) if not isinstance(value, str) else value
    if "items" in captured:
        inner = ", ".join(_render_captured(i) for i in captured["items"])
        more = ", ..." if captured.get("truncated") else ""
        return f"[{inner}{more}]" if captured["type"] != "tuple" else f"({inner}{more})"
    if "entries" in captured:
        inner = ", ".join(f"{_render_captured(k)}: {_render_captured(v)}" for k, v in captured["entries"])
        return "{" + inner + ("" if not captured.get("truncated") else ", ...") + "}"
    if "fields" in captured:
        inner = ", ".join(f"{k}={_render_captured(v)}" for k, v in captured["fields"].items())
        return f"{captured['type']}({inner})"
    return f"<{captured.get('type', '?')}>"


def thread_name(thread_id: int) -> str:
    """The app thread only records its id (cheaper); the name is looked up here."""
    thread = threading._active.get(thread_id)  # noqa: SLF001 - read-only, no lock needed
    return thread.name if thread is not None else f"thread-{thread_id}"


class HitEncoder:
    def __init__(self, redactor: Redactor):
        self.redactor = redactor
        self._locations: dict = {}  # location -> its text
        self._plans: dict = {}  # id(probe) -> (probe, message plan)

    def encode(self, item) -> dict:
        kind, probe, timestamp, payload, context, thread_id = item
        hit = {"kind": kind, "probe_id": probe.id, "probe_version": probe.version, "timestamp": timestamp,
               "thread": thread_name(thread_id), "context": context.as_dict()}
        if probe.location is not None:
            location = self._locations.get(probe.location)
            if location is None:
                location = self._locations[probe.location] = str(probe.location)
            hit["location"] = location
        if kind == "log":
            hit["message"] = self.redactor.text(self._message(probe, payload))
        elif kind == "snapshot":
            hit["snapshot"] = self.redactor.snapshot(payload)
        elif kind == "log_record":
            hit["record"] = dict(payload, message=self.redactor.text(str(payload["message"])))
        return hit

    def _plan(self, probe) -> tuple:
        """Per probe, once: each template part as a literal string, or True when the value it
        shows must be hidden (it reads a sensitive name and shows it), else False."""
        entry = self._plans.get(id(probe))
        if entry is None or entry[0] is not probe:
            plan = tuple(part if type(part) is str else bool(
                part.reveals_value and any(self.redactor.is_sensitive(n) for n in part.identifiers))
                for part in probe.template.parts)
            if len(self._plans) > 10_000:
                self._plans.clear()
            entry = self._plans[id(probe)] = (probe, plan)
        return entry[1]

    def _message(self, probe, values) -> str:
        parts, index = [], 0
        for part in self._plan(probe):
            if type(part) is str:
                parts.append(part)
                continue
            value = values[index]
            index += 1
            if type(value) is FailedValue:
                parts.append(f"{{error: {value.message}}}")
            elif part:
                parts.append(MARKER)
            else:
                if type(value) is dict and "type" in value:
                    value = self.redactor.value(value)
                parts.append(render(value))
        return "".join(parts)
