"""The agent's two daemon threads; the only places that talk to the server.

- `Poller`: registers (retrying with exponential backoff), then long-polls the probe set and
  hands each new set to the installer, so a change lands within a second of the server having it.
- `Uploader`: every `flush_interval` reaps failed probes, expires old ones, checks the CPU budget,
  drains the hit queue into batches (encode + redact happen here), flushes metrics every
  `metric_interval`, and sends probe statuses when they changed. A failed send keeps its batch
  (one batch at most) and backs off; meanwhile the bounded queue drops its oldest hits.

Both are `_AgentThread`s, known to the probes as the agent's own while they run.
"""
from __future__ import annotations

import abc
import random
import threading
import time

from ._probes import ProbeError, parse_probe
from ._sites import AGENT_THREADS
from ._transport import TransportError, check_probe_answer

MAX_BATCH = 500
_REJECTED = frozenset({400, 413, 422})  # answers that retrying cannot fix
MIN_EMPTY_POLL = 1.0  # seconds between polls that returned no change


class Backoff:
    def __init__(self, first: float = 0.5, limit: float = 30.0):
        self.first, self.limit, self.delay = first, limit, 0.0

    def failed(self) -> float:
        self.delay = self.first if not self.delay else min(self.limit, self.delay * 2)
        return self.delay * (0.8 + random.random() * 0.4)

    def succeeded(self) -> None:
        self.delay = 0.0


class _AgentThread(threading.Thread, abc.ABC):
    """A daemon thread of the agent's own: listed in AGENT_THREADS while it runs, so probes never
    fire on the agent's work (its HTTP calls, its encoding)."""

    def __init__(self, agent, name: str):
        super().__init__(name=name, daemon=True)
        self.agent = agent

    def run(self) -> None:
        AGENT_THREADS.add(threading.get_ident())
        try:
            self._loop()
        finally:
            AGENT_THREADS.discard(threading.get_ident())

    @abc.abstractmethod
    def _loop(self) -> None:
        """The thread's work, until the agent stops."""


class Poller(_AgentThread):
    def __init__(self, agent):
        super().__init__(agent, "tierline-agent-poll")
        self.version = 0
        self.backoff = Backoff()

    def _loop(self) -> None:
        agent = self.agent
        while not agent.stopping.is_set():
            try:
                if not agent.registered.is_set():
                    agent.transport.register(agent.registration_info())
                    agent.registered.set()
                started = time.monotonic()
                answer = agent.transport.poll_probes(agent.instance_id, self.version, agent.config.poll_wait)
                if answer is not None:
                    self.apply(check_probe_answer(answer))
                elif time.monotonic() - started < MIN_EMPTY_POLL:
                    # A server that answers "no change" at once instead of holding the poll.
                    agent.stopping.wait(MIN_EMPTY_POLL)
                agent.first_sync.set()
                self.backoff.succeeded()
            except TransportError as error:
                agent.last_error = str(error)
                agent.first_sync.set()
                if error.status in (401, 404, 410):  # the server does not know this instance (any more)
                    agent.registered.clear()
                    self.version = 0
                agent.stopping.wait(self.backoff.failed())
            except Exception as error:  # never let the thread die
                agent.last_error = f"{type(error).__name__}: {error}"
                agent.stopping.wait(self.backoff.failed())

    def apply(self, answer: dict) -> None:
        probes, errors = [], {}
        for data in answer["probes"]:
            try:
                probes.append(parse_probe(data))
            except Exception as error:  # one bad definition must not hold back the others
                probe_id = str(data.get("id", "?")) if isinstance(data, dict) else "?"
                errors[probe_id] = str(error) if isinstance(error, ProbeError) else f"invalid probe: {error!r}"
        self.agent.installer.apply(probes, errors)
        self.version = answer["version"]


class Uploader(_AgentThread):
    def __init__(self, agent):
        super().__init__(agent, "tierline-agent-upload")
        self.backoff = Backoff()
        self._pending: list = []  # a batch that failed to send
        self._send_lock = threading.Lock()
        self._last_metrics = time.monotonic()
        self._last_status = 0.0
        self.status_dirty = threading.Event()

    def _loop(self) -> None:
        agent = self.agent
        while not agent.stopping.wait(agent.config.flush_interval):
            try:
                if agent.registered.is_set():
                    self.cycle()
                    self.backoff.succeeded()
            except TransportError as error:
                agent.last_error = str(error)
                agent.stopping.wait(self.backoff.failed())
            except Exception as error:
                agent.last_error = f"{type(error).__name__}: {error}"

    def cycle(self, force_metrics: bool = False) -> None:
        agent = self.agent
        with self._send_lock:
            agent.installer.reap()
            agent.installer.expire()
            if agent.runtime.budget.check():
                self.status_dirty.set()
            now = time.monotonic()
            if force_metrics or now - self._last_metrics >= agent.config.metric_interval:
                self._last_metrics = now
                self._pending.extend(agent.runtime.metrics.flush())
                if len(self._pending) > 2 * MAX_BATCH:  # server down for long: keep memory bounded
                    agent.runtime.dropped += len(self._pending) - 2 * MAX_BATCH
                    del self._pending[:len(self._pending) - 2 * MAX_BATCH]
            self._send_hits()
            if self.status_dirty.is_set() or now - self._last_status >= agent.config.status_interval:
                self.status_dirty.clear()
                self._last_status = now
                agent.transport.send_status(agent.status_payload())

    def _send_hits(self) -> None:
        agent = self.agent
        queue = agent.runtime.queue
        while True:
            started = time.perf_counter()
            while queue and len(self._pending) < MAX_BATCH:
                item = queue.popleft()
                try:
                    self._pending.append(agent.encoder.encode(item))
                except Exception as error:  # one bad hit must not block the rest
                    agent.last_error = f"could not encode hit: {type(error).__name__}: {error}"
            # Encoding is probe work too: it counts against the CPU budget.
            agent.runtime.budget.spent += time.perf_counter() - started
            if not self._pending:
                return
            try:
                agent.transport.send_hits({"instance_id": agent.instance_id,
                                           "dropped_total": agent.runtime.dropped, "hits": self._pending})
            except TransportError as error:
                if error.status not in _REJECTED:
                    raise  # away or overloaded: keep the batch, back off, try again
                # The server will never take this batch: drop it rather than retry forever.
                agent.runtime.dropped += len(self._pending)
                agent.last_error = f"hits rejected: {error}"
            self._pending = []
            if not queue:
                return
