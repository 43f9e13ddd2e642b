"""Emitters: what a probe does at a hit once its condition and limits let it through.

Each captures raw values only, on the application thread, and enqueues them; formatting,
redaction and JSON happen later on the upload thread (`_hits.py`). `needs_frame` says whether
the emitter reads the frame (a snapshot does; a log or metric works from the names passed in).
"""
from __future__ import annotations

import time
from threading import get_ident

from ._capture import capture_snapshot, capture_value
from ._context import get_context
from ._guards import EvaluationError
from ._probes import CaptureLimits, Probe

_IMMUTABLE = frozenset({type(None), bool, int, float, str, bytes})
_LOG_VALUE_LIMITS = CaptureLimits(max_depth=2, max_fields=10, max_items=20)


_NO_GLOBALS: dict = {}


def globals_of(frame) -> dict:
    return frame.f_globals if frame is not None else _NO_GLOBALS


class LogEmitter:
    needs_frame = False

    def __init__(self, probe: Probe):
        self.parts = probe.template.parts

    def emit(self, runner, frame, names, extra):
        values = []
        globals_ = globals_of(frame)
        for part in self.parts:
            if type(part) is str:
                continue
            try:
                value = part.evaluate(names, globals_)
            except EvaluationError as error:
                values.append(FailedValue(str(error)))
                continue
            values.append(value if type(value) in _IMMUTABLE else capture_value(value, _LOG_VALUE_LIMITS))
        runner.runtime.enqueue(("log", runner.probe, time.time(), values, get_context(),
                                get_ident()))


class FailedValue:
    """A template part that could not be evaluated at this hit; shown inline as an error."""

    __slots__ = ("message",)

    def __init__(self, message):
        self.message = message


class SnapshotEmitter:
    needs_frame = True

    def __init__(self, probe: Probe):
        self.limits = probe.capture

    def emit(self, runner, frame, names, extra):
        frame_locals = frame.f_locals
        if extra:
            frame_locals = {k: v for k, v in frame_locals.items() if k not in extra}
        snapshot = capture_snapshot(frame, frame_locals, self.limits)
        if extra:
            if extra.get("_exception") is not None:
                snapshot["exception"] = capture_value(extra["_exception"], self.limits)
            elif "_return" in extra:
                snapshot["return"] = capture_value(extra["_return"], self.limits)
            if "_duration" in extra:
                snapshot["duration_ms"] = extra["_duration"]
        runner.runtime.enqueue(("snapshot", runner.probe, time.time(), snapshot, get_context(),
                                get_ident()))


class MetricEmitter:
    needs_frame = False

    def __init__(self, probe: Probe):
        self.probe_id, self.name, self.type = probe.id, probe.metric_name, probe.metric_type
        self.value = probe.metric_value

    def emit(self, runner, frame, names, extra):
        store = runner.runtime.metrics
        if self.type == "duration":
            if extra and "_duration" in extra:
                store.observe(self.probe_id, self.name, "duration", extra["_duration"])
            return
        if self.value is None:
            entry = store.table.get(self.probe_id)
            if entry is None:
                store.count(self.probe_id, self.name)
            else:
                entry[2].count += 1
            return
        value = self.value.evaluate(names, globals_of(frame))
        if type(value) not in (int, float, bool):
            raise EvaluationError(f"metric value must be a number, got {type(value).__name__}")
        store.observe(self.probe_id, self.name, self.type, value)


EMITTERS = {"log": LogEmitter, "snapshot": SnapshotEmitter, "metric": MetricEmitter}
