"""The agent object: composes the runtime, installer, import watcher, transport and threads.

Data flow (see README.md): server -> Poller -> Installer -> Patcher (code swapped into live
functions) -> sites fire on app threads -> Runtime queue / metric store -> Uploader (encode,
redact, batch) -> server.
"""
from __future__ import annotations

import functools
import os
import platform
import socket
import sys
import threading
import uuid
from importlib import metadata

from ._config import Config
from ._hits import HitEncoder
from ._imports import ImportWatcher
from ._installer import Installer
from ._limits import CpuBudget
from ._redaction import Redactor
from ._sites import AGENT_THREADS, Runtime
from ._transport import HttpTransport, InMemoryTransport

VERSION = "0.1.0"


@functools.lru_cache(maxsize=1)
def installed_packages() -> dict[str, str]:
    found = {}
    for distribution in metadata.distributions():
        name = distribution.metadata.get("Name")
        if name:
            found[name] = distribution.version
    return dict(sorted(found.items()))


class Agent:
    def __init__(self, config: Config, transport=None):
        self.config = config
        if transport is None:
            transport = HttpTransport(config.server, config.token) if config.server else InMemoryTransport()
        self.transport = transport
        self.instance_id = uuid.uuid4().hex
        self.runtime = Runtime(config.queue_size, CpuBudget(config.cpu_budget))
        self.installer = Installer(self.runtime, on_change=self._status_changed)
        self.installer.expecting_main = config.expect_main
        self.encoder = HitEncoder(Redactor(config.redact_names, config.extra_redact_names))
        self.imports = ImportWatcher(self.installer.has_waiting, self.installer.on_module_loaded)
        self.stopping = threading.Event()
        self.registered = threading.Event()
        self.first_sync = threading.Event()
        self.last_error = ""
        from ._worker import Poller, Uploader
        self.poller, self.uploader = Poller(self), Uploader(self)

    def start(self) -> Agent:
        self.imports.install()
        self.poller.start()
        self.uploader.start()
        if hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=self._after_fork)
        return self

    def _after_fork(self) -> None:
        """A pre-forking server (gunicorn, uWSGI) forked us: threads do not survive a fork, so the
        child becomes a new instance with its own threads; installed probes stay in place."""
        if self.stopping.is_set():
            return
        from ._worker import Poller, Uploader
        AGENT_THREADS.clear()  # those threads are gone; their idents may be reused by app threads
        self.instance_id = uuid.uuid4().hex
        self.registered, self.first_sync = threading.Event(), threading.Event()
        self.runtime.queue.clear()
        self.installer.reset_lock()
        self.poller, self.uploader = Poller(self), Uploader(self)
        self.poller.version = 0
        self.poller.start()
        self.uploader.start()

    def stop(self, timeout: float = 2.0) -> None:
        self.stopping.set()
        self.imports.uninstall()
        self.installer.remove_all()
        wake = getattr(self.transport, "wake", None) or getattr(getattr(self.transport, "inner", None), "wake", None)
        if wake is not None:
            wake()
        for thread in (self.poller, self.uploader):
            if thread.is_alive() and thread is not threading.current_thread():
                thread.join(timeout)

    def flush(self) -> None:
        """Send everything now (tests, shutdown); raises TransportError when the server is away."""
        ident = threading.get_ident()
        borrowed = ident not in AGENT_THREADS
        AGENT_THREADS.add(ident)  # this thread works for the agent for the moment
        try:
            self.uploader.cycle(force_metrics=True)
        finally:
            if borrowed:
                AGENT_THREADS.discard(ident)

    def _status_changed(self) -> None:
        uploader = getattr(self, "uploader", None)
        if uploader is not None:
            uploader.status_dirty.set()

    def registration_info(self) -> dict:
        return {
            "instance_id": self.instance_id, "service": self.config.service, "host": socket.gethostname(),
            "pid": os.getpid(), "python": platform.python_version(),
            "implementation": sys.implementation.name, "os": platform.platform(),
            "agent_version": VERSION, "tags": dict(self.config.tags), "packages": dict(installed_packages()),
        }

    def status_payload(self) -> dict:
        counters = {}
        for runner in self.installer.installed_runners():
            counters[runner.probe.id] = {"hits": runner.hits, "rate_limited": runner.rate_limited}
        budget = self.runtime.budget
        probes = []
        for entry in list(self.installer.statuses.values()):
            entry = dict(entry, **counters.get(entry["id"], {}))
            if budget.throttled and entry["status"] == "installed":
                entry["message"] = f"throttled: probes used more than {budget.share:.0%} of process CPU time"
            probes.append(entry)
        return {"instance_id": self.instance_id, "probes": probes,
                "throttled": budget.throttled, "throttled_hits": budget.skipped,
                "dropped_total": self.runtime.dropped}


_lock = threading.Lock()
_agent: Agent | None = None


def start(server: str | None = None, token: str | None = None, service: str | None = None,
          tags: dict | None = None, transport=None, **settings) -> Agent:
    """Start the agent once per process (later calls return the running one)."""
    global _agent
    with _lock:
        if _agent is None:
            config = Config.load(server=server, token=token, service=service, tags=tags, **settings)
            _agent = Agent(config, transport).start()
        return _agent


def stop() -> None:
    global _agent
    with _lock:
        if _agent is not None:
            _agent.stop()
            _agent = None


def current() -> Agent | None:
    return _agent
