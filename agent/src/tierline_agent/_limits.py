"""Limits a probe lives within: a per-probe rate limiter and the agent-wide CPU budget.

`RateLimiter.allow()` is a token bucket (burst = one second's worth, at least one hit).
`CpuBudget` compares the time spent inside probe hooks (`spent`, added by the sites) with the
CPU time of the whole process over windows of `window` seconds; when probes took more than
`share` of it, `throttled` is set for the next window and every hit is skipped and counted.
"""
from __future__ import annotations

import time
from time import monotonic


class RateLimiter:
    __slots__ = ("rate", "tokens", "last")

    def __init__(self, rate: float):
        self.rate = float(rate)
        self.tokens = max(1.0, self.rate)
        self.last = monotonic()

    def allow(self) -> bool:
        now = monotonic()
        tokens = self.tokens + (now - self.last) * self.rate
        burst = self.rate if self.rate > 1.0 else 1.0
        self.tokens = tokens if tokens < burst else burst
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class CpuBudget:
    def __init__(self, share: float = 0.02, window: float = 1.0, clock=time.process_time, min_busy: float = 0.1):
        self.share, self.window, self._clock, self.min_busy = share, window, clock, min_busy
        self.spent = 0.0  # seconds inside probe hooks, added to by the sites
        self.throttled = False
        self.skipped = 0  # hits skipped while throttled
        self.throttle_windows = 0
        self._last_spent = 0.0
        self._last_cpu = clock()
        self._last_check = monotonic()

    def check(self) -> bool:
        """Called by the background thread; returns True when the throttle state changed."""
        now = monotonic()
        if now - self._last_check < self.window:
            return False
        cpu = self._clock()
        spent = self.spent - self._last_spent
        # An idle process is treated as `min_busy` busy: a few probe milliseconds in a second of
        # idling are no burden, and the share of almost nothing would throttle everything.
        cpu_used = max(cpu - self._last_cpu, self.min_busy * (now - self._last_check))
        self._last_spent, self._last_cpu, self._last_check = self.spent, cpu, now
        over = spent > self.share * cpu_used
        changed = over != self.throttled
        self.throttled = over
        if over:
            self.throttle_windows += 1
        return changed
