"""Notice modules being imported, so waiting probes install as soon as their module exists.

`ImportWatcher` sits first on `sys.meta_path`. While probes are waiting, it asks the other
finders for the spec and wraps the loader so `on_loaded(module)` runs right after the module's
code has executed; with nothing waiting it steps aside at once. The wrapper forwards every other
attribute to the real loader.
"""
from __future__ import annotations

import contextlib
import sys
import threading


class _NotifyingLoader:
    def __init__(self, loader, on_loaded):
        self.__dict__["_loader"] = loader
        self.__dict__["_on_loaded"] = on_loaded

    def __getattr__(self, name):
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        try:
            self._loader.exec_module(module)
        finally:
            # Give the module its real loader back: code checks `isinstance(__loader__, ...)`.
            with contextlib.suppress(Exception):
                if module.__dict__.get("__loader__") is self:
                    module.__loader__ = self._loader
                spec = module.__dict__.get("__spec__")
                if spec is not None and spec.loader is self:
                    spec.loader = self._loader
        with contextlib.suppress(Exception):  # the import itself succeeded: never fail it
            self._on_loaded(module)


class ImportWatcher:
    def __init__(self, is_waiting, on_loaded):
        self._is_waiting, self._on_loaded = is_waiting, on_loaded
        self._local = threading.local()

    def install(self) -> None:
        if self not in sys.meta_path:
            sys.meta_path.insert(0, self)

    def uninstall(self) -> None:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)

    def find_spec(self, fullname, path=None, target=None):
        if not self._is_waiting() or getattr(self._local, "busy", False):
            return None
        self._local.busy = True
        try:
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(fullname, path, target)
                if spec is not None:
                    break
            else:
                return None
        finally:
            self._local.busy = False
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _NotifyingLoader(spec.loader, self._on_loaded)
        return spec

    def invalidate_caches(self):
        pass
