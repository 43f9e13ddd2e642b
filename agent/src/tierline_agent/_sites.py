"""The hit path: what runs on the application thread when injected code calls a hook.

- `Runtime`: what all sites share: the bounded hit queue, the metric store, the CPU budget and
  the error callback. A full queue drops its oldest entry and counts it; nothing here blocks.
- `LineSite.hit()` / `FunctionSite.enter/exit/error`: the hooks injected by `_injection.py`,
  one site per (code object, line) or per function, holding the runners of every probe there.
- `ProbeRunner`: one installed probe: condition, hit limit, rate limit, then its emitter.
  Any unexpected failure disables the runner and reports it; the host never sees it.
- Emitters (`LogEmitter`, `SnapshotEmitter`, `MetricEmitter`) capture raw values only: strings
  are formatted, values redacted and JSON encoded later by the uploader thread.
"""
from __future__ import annotations

import sys
import threading
import time
from collections import deque
from time import perf_counter

from ._capture import capture_snapshot, capture_value
from ._context import get_context
from ._guards import EvaluationError, g_truth
from ._metrics import MetricStore
from ._limits import CpuBudget, RateLimiter
from ._probes import CaptureLimits, Probe

_getframe = sys._getframe
_IMMUTABLE = frozenset({type(None), bool, int, float, str, bytes})
_LOG_VALUE_LIMITS = CaptureLimits(max_depth=2, max_fields=10, max_items=20)


class Runtime:
    def __init__(self, queue_size: int = 10_000, budget: CpuBudget | None = None, on_error=None):
        self.queue: deque = deque(maxlen=queue_size)
        self.dropped = 0
        self.metrics = MetricStore()
        self.budget = budget or CpuBudget()
        self.on_error = on_error or (lambda probe_id, message: None)
        self.on_done = lambda probe_id, message: None

    def enqueue(self, item) -> None:
        queue = self.queue
        if len(queue) == queue.maxlen:
            self.dropped += 1  # deque(maxlen) drops the oldest on append
        queue.append(item)


class LogEmitter:
    def __init__(self, probe: Probe):
        self.parts = probe.template.parts

    def emit(self, runner, frame, names, extra):
        values = []
        globals_ = frame.f_globals
        for part in self.parts:
            if type(part) is str:
                continue
            try:
                value = part.evaluate(names, globals_)
            except EvaluationError as error:
                values.append(_EvalFailed(str(error)))
                continue
            values.append(value if type(value) in _IMMUTABLE else capture_value(value, _LOG_VALUE_LIMITS))
        runner.runtime.enqueue(("log", runner.probe, time.time(), values, get_context(),
                                threading.current_thread().name))


class _EvalFailed:
    __slots__ = ("message",)

    def __init__(self, message):
        self.message = message


class SnapshotEmitter:
    def __init__(self, probe: Probe):
        self.limits = probe.capture

    def emit(self, runner, frame, names, extra):
        snapshot = capture_snapshot(frame, frame.f_locals if names is None else names, self.limits)
        if extra:
            if extra.get("_exception") is not None:
                snapshot["exception"] = capture_value(extra["_exception"], self.limits)
            elif "_return" in extra:
                snapshot["return"] = capture_value(extra["_return"], self.limits)
            snapshot["locals"].pop("_return", None)
            snapshot["locals"].pop("_exception", None)
            if "_duration" in extra:
                snapshot["duration_ms"] = extra["_duration"]
                snapshot["locals"].pop("_duration", None)
        runner.runtime.enqueue(("snapshot", runner.probe, time.time(), snapshot, get_context(),
                                threading.current_thread().name))


class MetricEmitter:
    def __init__(self, probe: Probe):
        self.probe_id, self.name, self.type = probe.id, probe.metric_name, probe.metric_type
        self.value = probe.metric_value

    def emit(self, runner, frame, names, extra):
        store = runner.runtime.metrics
        if self.type == "duration":
            if extra and "_duration" in extra:
                store.observe(self.probe_id, self.name, "histogram", extra["_duration"])
            return
        if self.value is None:
            store.count(self.probe_id, self.name)
            return
        value = self.value.evaluate(names, frame.f_globals)
        if type(value) not in (int, float, bool):
            raise EvaluationError(f"metric value must be a number, got {type(value).__name__}")
        if self.type == "count":
            store.observe(self.probe_id, self.name, "count_sum", value)
        else:
            store.observe(self.probe_id, self.name, self.type, value)


EMITTERS = {"log": LogEmitter, "snapshot": SnapshotEmitter, "metric": MetricEmitter}


class ProbeRunner:
    """One installed probe at one site."""

    __slots__ = ("probe", "runtime", "emitter", "condition", "needs_names", "limiter", "is_enabled",
                 "hits", "rate_limited", "condition_errors")

    def __init__(self, probe: Probe, runtime: Runtime):
        self.probe, self.runtime = probe, runtime
        self.emitter = EMITTERS[probe.kind](probe)
        self.condition = probe.condition
        self.needs_names = (
            (probe.condition is not None and probe.condition.needs_frame)
            or (probe.template is not None and probe.template.needs_frame)
            or (probe.metric_value is not None and probe.metric_value.needs_frame)
        )
        self.limiter = RateLimiter(probe.rate) if probe.rate else None
        self.is_enabled = True
        self.hits = self.rate_limited = self.condition_errors = 0

    def fire(self, frame, extra) -> None:
        if not self.is_enabled:
            return
        try:
            names = None
            if self.needs_names or extra:
                names = frame.f_locals
                if extra:
                    names = dict(names)
                    names.update(extra)
            if self.condition is not None:
                try:
                    if not g_truth(self.condition.evaluate(names, frame.f_globals)):
                        return
                except EvaluationError as error:
                    self.is_enabled = False
                    self.runtime.on_error(self.probe.id, f"condition failed: {error}")
                    return
            max_hits = self.probe.max_hits
            if max_hits is not None and self.hits >= max_hits:
                self.is_enabled = False
                self.runtime.on_done(self.probe.id, f"hit limit of {max_hits} reached")
                return
            if self.limiter is not None and not self.limiter.allow():
                self.rate_limited += 1
                return
            self.hits += 1
            self.emitter.emit(self, frame, names, extra)
        except Exception as error:  # an agent bug or a value we could not read: this probe stops
            self.is_enabled = False
            self.runtime.on_error(self.probe.id, f"{type(error).__name__}: {error}")


class LineSite:
    """The hook at one line of one code object; `runners` is replaced, never mutated in place."""

    __slots__ = ("runners", "runtime", "__weakref__")

    def __init__(self, runtime: Runtime):
        self.runners: tuple = ()
        self.runtime = runtime

    def hit(self) -> None:
        try:
            budget = self.runtime.budget
            if budget.throttled:
                budget.skipped += 1
                return
            start = perf_counter()
            frame = _getframe(1)
            for runner in self.runners:
                runner.fire(frame, None)
            budget.spent += perf_counter() - start
        except Exception:
            pass


class FunctionSite:
    """Entry and exit hooks of one function; the record passed between them is the start time."""

    __slots__ = ("runners", "runtime", "__weakref__")

    def __init__(self, runtime: Runtime):
        self.runners: tuple = ()
        self.runtime = runtime

    def enter(self):
        return perf_counter()

    def exit(self, value, started):
        self._finish({"_return": value, "_exception": None}, started)
        return value

    def error(self, started, exception) -> None:
        self._finish({"_return": None, "_exception": exception}, started)

    def _finish(self, extra, started) -> None:
        try:
            budget = self.runtime.budget
            if budget.throttled:
                budget.skipped += 1
                return
            start = perf_counter()
            extra["_duration"] = (start - started) * 1000.0 if type(started) is float else None
            frame = _getframe(2)
            for runner in self.runners:
                runner.fire(frame, extra)
            budget.spent += perf_counter() - start
        except Exception:
            pass
