"""Turn the wanted probe set into installed probes, and keep each probe's status.

`Installer.apply(probes)` diffs against what is installed (by id and version). A probe whose
module is not loaded yet waits (status `waiting`) and is installed by `on_module_loaded`, which
the import watcher calls after a module is executed, or by `prepare_main` for the script the
runner is about to execute. Statuses: installed, waiting, error, expired, done (hit limit).
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from types import CodeType

from . import _locate
from ._loglevel import LogLevelRunner
from ._patcher import CodeNode, Patcher
from ._probes import FunctionLocation, LineLocation, Probe, ProbeError
from ._sites import ProbeRunner, Runtime

_AGENT_DIR = _locate.normalized(os.path.dirname(__file__)) + "/"


class _Waiting(Exception):
    """The probe's module is not loaded yet."""


@dataclass
class Installed:
    probe: Probe
    runner: object
    node: CodeNode | None = None
    line: int | None = None  # None for a function probe


class Installer:
    def __init__(self, runtime: Runtime, on_change=lambda: None):
        self.runtime, self.patcher = runtime, Patcher(runtime)
        self._lock = threading.RLock()
        self._installed: dict[str, Installed] = {}
        self._waiting: dict[str, Probe] = {}
        self.statuses: dict[str, dict] = {}
        self._on_change = on_change
        self.expecting_main = False  # the runner is about to execute a script as __main__
        self._late_modules: list = []  # imported while the lock was busy
        self._functions = False  # live functions cached while `apply` runs
        self._failures: dict[str, str] = {}  # latest failure message per probe
        runtime.on_error = self._runner_failed
        runtime.on_done = self._runner_done

    # -- the probe set -----------------------------------------------------------------------
    def apply(self, probes: list[Probe], errors: dict[str, str] | None = None) -> None:
        with self._lock:
            self._functions = None  # one heap scan for the whole set, not one per probe
            try:
                with self.patcher.batch():
                    self._apply(probes, errors or {})
            finally:
                self._functions = False
        self._on_change()

    def _apply(self, probes: list[Probe], errors: dict[str, str]) -> None:
        wanted = {p.id: p for p in probes}
        for probe_id in list(self._installed) + list(self._waiting):
            probe = wanted.get(probe_id)
            current = self._installed.get(probe_id) or self._waiting.get(probe_id)
            current_probe = current.probe if isinstance(current, Installed) else current
            if probe is None or probe.version != current_probe.version:
                self.remove(probe_id, forget=probe is None)
        for probe in probes:
            if probe.id in self._installed or probe.id in self._waiting:
                continue
            reported = self.statuses.get(probe.id, {})
            if reported.get("version") == probe.version and reported.get("status") in ("error", "expired", "done"):
                continue  # already reported; the same version is not retried
            self.add(probe)
        for probe_id in list(self.statuses):
            if probe_id not in wanted and probe_id not in errors:
                del self.statuses[probe_id]
        for probe_id, message in errors.items():
            self._set_status(probe_id, "error", message, 0)

    def add(self, probe: Probe) -> None:
        with self._lock:
            if probe.expires_at and probe.expires_at <= time.time():
                self._set_status(probe.id, "expired", "expired before it could be installed", probe.version)
                return
            try:
                self._failures.pop(probe.id, None)
                with self.patcher.batch():
                    self._installed[probe.id] = self._install(probe)
                failure = self._failures.pop(probe.id, None)
                if failure is not None:  # instrumenting failed when the batch was applied
                    self._installed.pop(probe.id)
                    self._set_status(probe.id, "error", failure, probe.version)
                else:
                    self._set_status(probe.id, "installed", "", probe.version)
            except _Waiting as waiting:
                self._waiting[probe.id] = probe
                self._set_status(probe.id, "waiting", str(waiting), probe.version)
            except ProbeError as error:
                self._set_status(probe.id, "error", str(error), probe.version)
            except Exception as error:  # never let one probe break the others
                self._set_status(probe.id, "error", f"could not install: {type(error).__name__}: {error}",
                                 probe.version)

    def remove(self, probe_id: str, forget: bool = True, status: str | None = None, message: str = "") -> None:
        with self._lock:
            self._waiting.pop(probe_id, None)
            installed = self._installed.pop(probe_id, None)
            if installed is not None:
                with self.patcher.batch():
                    self._uninstall(installed)
            if forget:
                self.statuses.pop(probe_id, None)
            if status is not None:
                self._set_status(probe_id, status, message, installed.probe.version if installed else 0)
        self._on_change()

    def remove_all(self) -> None:
        with self._lock, self.patcher.batch():
            for probe_id in list(self._installed) + list(self._waiting):
                self.remove(probe_id)

    def expire(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock, self.patcher.batch():
            for probe_id, installed in list(self._installed.items()):
                if installed.probe.expires_at and installed.probe.expires_at <= now:
                    self.remove(probe_id, forget=False, status="expired", message="expired")
            for probe_id, probe in list(self._waiting.items()):
                if probe.expires_at and probe.expires_at <= now:
                    self.remove(probe_id, forget=False, status="expired", message="expired while waiting")

    def installed_runners(self) -> list:
        with self._lock:
            return [i.runner for i in self._installed.values()]

    def reset_lock(self) -> None:
        """After a fork the lock may be held by a thread that does not exist in the child."""
        self._lock = threading.RLock()

    # -- modules appearing ---------------------------------------------------------------------
    def has_waiting(self) -> bool:
        return bool(self._waiting)

    def on_module_loaded(self, module) -> None:
        if not self._waiting:
            return
        if not self._lock.acquire(blocking=False):
            # An agent thread is busy installing: never make an import wait; it picks this up.
            self._late_modules.append(module)
            return
        try:
            name = getattr(module, "__name__", "")
            filename = getattr(module, "__file__", None)
            for probe in list(self._waiting.values()):
                location = probe.location
                if isinstance(location, FunctionLocation) and location.module != name:
                    continue
                if isinstance(location, LineLocation) and not (
                        isinstance(filename, str) and _locate.path_matches(filename, location.path)):
                    continue
                self._waiting.pop(probe.id, None)
                self.add(probe)
        finally:
            self._lock.release()
        self._on_change()

    def prepare_main(self, code: CodeType, filename: str) -> CodeType:
        """Install waiting probes into the `__main__` script's code before it runs."""
        filename = _locate.normalized(filename)
        with self._lock:
            index = _locate.CodeIndex(filename)
            index.codes[id(code)] = code
            index.parent[id(code)] = None
            stack = [code]
            while stack:
                parent = stack.pop()
                for const in parent.co_consts:
                    if type(const) is CodeType:
                        index.codes[id(const)], index.parent[id(const)] = const, parent
                        stack.append(const)
            with self.patcher.batch():
                for probe in list(self._waiting.values()):
                    location = probe.location
                    matches = (isinstance(location, LineLocation) and _locate.path_matches(filename, location.path)) \
                        or (isinstance(location, FunctionLocation) and location.module == "__main__")
                    if not matches:
                        continue
                    self._waiting.pop(probe.id)
                    try:
                        self._installed[probe.id] = self._install_in(probe, index)
                        self._set_status(probe.id, "installed", "", probe.version)
                    except ProbeError as error:
                        self._set_status(probe.id, "error", str(error), probe.version)
            patched = self.patcher.current_of(code)
            self.expecting_main = False
        self._on_change()
        return patched

    # -- internals -------------------------------------------------------------------------------
    def _install(self, probe: Probe) -> Installed:
        if probe.kind == "log_level":
            runner = LogLevelRunner(probe, self.runtime)
            runner.install()
            return Installed(probe, runner)
        location = probe.location
        if self._functions is False:
            functions = _locate.live_functions()
        else:
            functions = self._functions = self._functions or _locate.live_functions()
        if isinstance(location, LineLocation):
            files = _locate.loaded_files(location.path, functions)
            if not files:
                raise _Waiting(f"waiting for a module at {location.path} to be imported")
            if len(files) > 1:
                raise ProbeError(f"{location.path} is ambiguous, it matches: {', '.join(sorted(files))}; "
                                 "give more of the path", "location")
            filename = files.pop()
        else:
            if location.module == "__main__" and self.expecting_main:
                raise _Waiting("waiting for the __main__ script to start")
            filename = _locate.module_filename(location.module)
            if filename is None:
                raise _Waiting(f"waiting for module {location.module} to be imported")
        if filename.startswith(_AGENT_DIR):
            raise ProbeError("the agent cannot probe itself", "location")
        index = _locate.CodeIndex.build(filename, functions, self.patcher.original_of)
        return self._install_in(probe, index)

    def _install_in(self, probe: Probe, index: _locate.CodeIndex) -> Installed:
        location = probe.location
        runner = ProbeRunner(probe, self.runtime)
        if isinstance(location, LineLocation):
            code = index.code_for_line(location.line)
            line = location.line
            if code is None:
                code = index.code_for_def_line(line)
                line = code.co_firstlineno if code is not None else line  # the entry of that function
            if code is None:
                nearest = index.nearest_lines(location.line)
                raise ProbeError(f"line {location.line} of {index.filename} has no code a probe can run at; "
                                 f"nearest lines with code: {', '.join(map(str, nearest)) or 'none'}", "location")
            node = self.patcher.node_for(code, index.parent_chain(code))
            site = node.line_sites.get(line)
            self.patcher.set_line_runners(node, line, (site.runners if site else ()) + (runner,))
            return Installed(probe, runner, node, line)
        code = index.code_for_qualname(location.qualname)
        if code is None:
            raise ProbeError(f"no function {location.qualname} in {location.module}", "location")
        node = self.patcher.node_for(code, index.parent_chain(code))
        site = node.function_site
        self.patcher.set_function_runners(node, (site.runners if site else ()) + (runner,))
        return Installed(probe, runner, node, None)

    def _uninstall(self, installed: Installed) -> None:
        if installed.node is None:
            installed.runner.uninstall()
            return
        node = installed.node
        site = node.line_sites.get(installed.line) if installed.line is not None else node.function_site
        if site is None:
            return
        runners = tuple(r for r in site.runners if r is not installed.runner)
        if installed.line is not None:
            self.patcher.set_line_runners(node, installed.line, runners)
        else:
            self.patcher.set_function_runners(node, runners)

    def _set_status(self, probe_id: str, status: str, message: str, version: int) -> None:
        self.statuses[probe_id] = {"id": probe_id, "version": version, "status": status, "message": message}

    def _runner_failed(self, probe_id: str, message: str) -> None:
        # Called on an application thread: only flag it; the uploader removes and reports.
        if len(self._failures) < 1000:
            self._failures[probe_id] = message
        entry = self.statuses.get(probe_id)
        if entry is not None:
            self.statuses[probe_id] = dict(entry, status="error", message=message)
        self._on_change()

    def _runner_done(self, probe_id: str, message: str) -> None:
        entry = self.statuses.get(probe_id)
        if entry is not None:
            self.statuses[probe_id] = dict(entry, status="done", message=message)
        self._on_change()

    def reap(self) -> None:
        """Uninstall probes that failed or finished, and handle late imports (background thread)."""
        while self._late_modules:
            self.on_module_loaded(self._late_modules.pop(0))
        with self._lock, self.patcher.batch():
            for probe_id, installed in list(self._installed.items()):
                status = self.statuses.get(probe_id, {}).get("status")
                if status in ("error", "done"):
                    self._installed.pop(probe_id)
                    self._uninstall(installed)
