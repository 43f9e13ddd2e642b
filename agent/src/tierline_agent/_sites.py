"""The hit path: what runs on the application thread when injected code calls a hook.

- `Runtime`: what all sites share: the bounded hit queue, the metric store, the CPU budget and
  the error callback. A full queue drops its oldest entry and counts it; nothing here blocks.
- `LineSite.hit()` / `FunctionSite.enter/exit/error`: the hooks injected by `_injection.py`,
  one site per (code object, line) or per function, holding the runners of every probe there.
- `ProbeRunner`: one installed probe: condition, hit limit, rate limit, then its emitter.
  Any unexpected failure disables the runner and reports it; the host never sees it.
- The emitters (`_emitters.py`) do the probe's work once it passes.
"""
from __future__ import annotations

import sys
from collections import deque
from threading import get_ident
from time import perf_counter

from ._emitters import EMITTERS, globals_of
from ._guards import EvaluationError, g_truth
from ._limits import CpuBudget, RateLimiter
from ._metrics import MetricStore
from ._probes import Probe

_getframe = sys._getframe
AGENT_THREADS: set[int] = set()  # idents of the agent's own threads


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


_SPECIAL = frozenset({"ctx", "_return", "_exception", "_duration"})


class ProbeRunner:
    """One installed probe at one site.

    `local_names` are the application names its expressions read. A site passes them in a dict
    built by the injected bytecode when it can (function arguments); otherwise the runner reads
    `frame.f_locals`, which on 3.11 costs more than everything else in a hit.
    """

    __slots__ = ("probe", "runtime", "emitter", "condition", "local_names", "needs_frame", "limiter",
                 "is_enabled", "hits", "rate_limited")

    def __init__(self, probe: Probe, runtime: Runtime):
        self.probe, self.runtime = probe, runtime
        self.emitter = EMITTERS[probe.kind](probe)
        self.condition = probe.condition.evaluate if probe.condition is not None else None
        expressions = [probe.condition, probe.metric_value]
        if probe.template is not None:
            expressions.extend(p for p in probe.template.parts if type(p) is not str)
        self.local_names = frozenset().union(*(e.names for e in expressions if e is not None)) - _SPECIAL
        self.needs_frame = self.emitter.needs_frame
        self.limiter = RateLimiter(probe.rate) if probe.rate else None
        self.is_enabled = True
        self.hits = self.rate_limited = 0

    def fire(self, frame, names, extra) -> None:
        """`names`: the dict passed by the injected code, or None; `frame`: the app frame or None."""
        if not self.is_enabled:
            return
        try:
            if names is None:
                if extra is not None:
                    names = extra if frame is None else {**frame.f_locals, **extra}
                elif frame is not None and self.local_names:
                    names = frame.f_locals
            condition = self.condition
            if condition is not None:
                try:
                    result = condition(names, globals_of(frame))
                    if result is not True and (result is False or not g_truth(result)):
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
            if AGENT_THREADS and get_ident() in AGENT_THREADS:
                return  # the agent's own work (json, urllib...) must not feed hits back to itself
            self.hits += 1
            self.emitter.emit(self, frame, names, extra)
        except Exception as error:  # an agent bug or a value we could not read: this probe stops
            self.is_enabled = False
            self.runtime.on_error(self.probe.id, f"{type(error).__name__}: {error}")


# The CPU budget times one hit in `_SAMPLE` and counts it `_SAMPLE` times: two clock reads per
# hit would cost more than a whole false-condition hit.
_SAMPLE = 16


class LineSite:
    """The hook at one line of one code object; `runners` is replaced, never mutated in place.

    `passed_names` are the names the injected call passes as a dict (see `plan`); when a runner
    needs more than those, or a snapshot, `needs_frame` makes the hook fetch the frame.
    """

    __slots__ = ("runners", "runtime", "budget", "count", "passed_names", "needs_frame", "__weakref__")

    def __init__(self, runtime: Runtime):
        self.runners: tuple = ()
        self.runtime = runtime
        self.budget = runtime.budget
        self.count = 0
        self.passed_names: tuple = ()
        self.needs_frame = True

    def plan(self, safe_names: frozenset) -> tuple:
        """Choose what the injected call passes; returns the names (a change needs re-injection)."""
        wanted = frozenset().union(*(r.local_names for r in self.runners))
        if wanted <= safe_names:
            self.needs_frame = any(r.needs_frame for r in self.runners)
            return tuple(sorted(wanted))
        self.needs_frame = True
        return ()

    def hit(self, names=None) -> None:
        budget = self.budget
        if budget.throttled:
            budget.skipped += 1
            return
        self.count += 1
        timed = not self.count % _SAMPLE
        if timed:
            start = perf_counter()
        try:
            frame = _getframe(1) if self.needs_frame else None
            for runner in self.runners:
                runner.fire(frame, names, None)
        except Exception:
            pass
        if timed:
            budget.spent += (perf_counter() - start) * _SAMPLE


class FunctionSite:
    """Entry and exit hooks of one function; the record passed between them is the start time."""

    __slots__ = ("runners", "runtime", "needs_frame", "__weakref__")

    def __init__(self, runtime: Runtime):
        self.runners: tuple = ()
        self.runtime = runtime
        self.needs_frame = True

    def plan(self) -> None:
        self.needs_frame = any(r.needs_frame or r.local_names for r in self.runners)

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
            frame = _getframe(2) if self.needs_frame else None
            for runner in self.runners:
                runner.fire(frame, None, extra)
            budget.spent += perf_counter() - start
        except Exception:
            pass
