"""Swap patched code into live functions, and the original back.

The patcher keeps one `CodeNode` per original code object that has sites, or has a descendant
with sites. A node's current code is always rebuilt from its original: nested code constants
replaced by their children's current code, then the node's own sites injected. So:
- closures made later by a factory get the probe (the factory's code holds the patched child);
- with no sites left anywhere below a node, its current code *is* the original object again,
  and every function is given back exactly the code object it had.
After the rebuilds of a batch, live functions running an old code object get the new one (one
pass over the heap per batch).
"""
from __future__ import annotations

import contextlib
import gc
from types import CodeType, FunctionType

from ._injection import FunctionHooks, inject, safe_argument_names
from ._sites import FunctionSite, LineSite, Runtime


class CodeNode:
    __slots__ = ("original", "parent", "current", "line_sites", "function_site")

    def __init__(self, original: CodeType, parent: CodeNode | None):
        self.original, self.parent, self.current = original, parent, original
        self.line_sites: dict[int, LineSite] = {}
        self.function_site: FunctionSite | None = None


class Patcher:
    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self._nodes: dict[int, CodeNode] = {}  # id(original) -> node
        self._original_by_current: dict[int, CodeType] = {}  # id(patched) -> original
        self._depth = 0
        self._dirty: dict[int, CodeNode] = {}
        self._swaps: dict[int, tuple[CodeType, CodeNode]] = {}  # id(node) -> (code before, node)

    def original_of(self, code: CodeType) -> CodeType:
        return self._original_by_current.get(id(code), code)

    def current_of(self, code: CodeType) -> CodeType:
        node = self._nodes.get(id(code))
        return node.current if node is not None else code

    def node_for(self, code: CodeType, parents: list[CodeType]) -> CodeNode:
        """The node of `code`, creating the nodes of its parent chain (innermost parent first)."""
        parent_node = None
        for parent in reversed(parents):
            parent_node = self._nodes.get(id(parent)) or self._add(parent, parent_node)
        return self._nodes.get(id(code)) or self._add(code, parent_node)

    def _add(self, code: CodeType, parent: CodeNode | None) -> CodeNode:
        node = CodeNode(code, parent)
        self._nodes[id(code)] = node
        return node

    def set_line_runners(self, node: CodeNode, line: int, runners: tuple) -> None:
        """Put `runners` at a line; none left removes the site and restores the code."""
        site = node.line_sites.get(line)
        if not runners:
            if site is not None:
                del node.line_sites[line]
                self.rebuild(node)
            return
        is_new = site is None
        if is_new:
            site = node.line_sites[line] = LineSite(self.runtime)
        site.runners = runners
        names = site.plan(safe_argument_names(node.original))
        if is_new or names != site.passed_names:
            site.passed_names = names
            self.rebuild(node)

    def set_function_runners(self, node: CodeNode, runners: tuple) -> None:
        if not runners:
            if node.function_site is not None:
                node.function_site = None
                self.rebuild(node)
            return
        site = node.function_site
        if site is None:
            site = node.function_site = FunctionSite(self.runtime)
            site.runners = runners
            site.plan()
            self.rebuild(node)
        else:
            site.runners = runners
            site.plan()

    @contextlib.contextmanager
    def batch(self):
        """Defer rebuilds and function swaps to the end: each code is rebuilt once and live
        functions are found in one heap pass, however many probes change together."""
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
            if not self._depth:
                self._flush()

    def _flush(self) -> None:
        while self._dirty:
            dirty, self._dirty = self._dirty, {}
            for node in sorted(dirty.values(), key=self._depth_of, reverse=True):
                try:
                    self._rebuild_now(node)
                except Exception as error:  # this code cannot be instrumented: its probes fail
                    self._give_up(node, error)
        swaps, self._swaps = self._swaps, {}
        changed = {key: (old, node.current) for key, (old, node) in swaps.items() if old is not node.current}
        if not changed:
            return
        by_code = {id(old): new for old, new in changed.values()}
        for obj in gc.get_objects():
            if type(obj) is FunctionType:
                new = by_code.get(id(obj.__code__))
                if new is not None:
                    obj.__code__ = new

    def _give_up(self, node: CodeNode, error: Exception) -> None:
        runners = [r for site in node.line_sites.values() for r in site.runners]
        if node.function_site is not None:
            runners.extend(node.function_site.runners)
        node.line_sites.clear()
        node.function_site = None
        for runner in runners:
            runner.is_enabled = False
            self.runtime.on_error(runner.probe.id, f"could not instrument {node.original.co_qualname}: "
                                                   f"{type(error).__name__}: {error}")
        self._rebuild_now(node)  # without sites: only nested constants change, if anything

    @staticmethod
    def _depth_of(node: CodeNode) -> int:
        depth = 0
        while node.parent is not None:
            node, depth = node.parent, depth + 1
        return depth

    def rebuild(self, node: CodeNode) -> None:
        if self._depth:
            self._dirty[id(node)] = node
            return
        with self.batch():
            self._dirty[id(node)] = node

    def _rebuild_now(self, node: CodeNode) -> None:
        while node is not None:
            original = node.original
            consts = tuple(self.current_of(c) if type(c) is CodeType else c for c in original.co_consts)
            code = original
            if any(a is not b for a, b in zip(consts, original.co_consts, strict=True)):
                code = original.replace(co_consts=consts)
            function_hooks = None
            if node.function_site is not None:
                site = node.function_site
                function_hooks = FunctionHooks(site.enter, site.exit, site.error)
            if node.line_sites or function_hooks is not None:
                line_hooks = {line: (site.hit, site.passed_names) for line, site in node.line_sites.items()}
                code = inject(code, line_hooks, function_hooks)
            old = node.current
            node.current = code
            self._original_by_current.pop(id(old), None)
            if code is not original:
                self._original_by_current[id(code)] = original
            if id(node) not in self._swaps:
                self._swaps[id(node)] = (old, node)  # the code live functions have now
            if code is original and not node.line_sites and node.function_site is None:
                self._nodes.pop(id(original), None)  # nothing left below: forget it
            node = node.parent

    def instrument_module_code(self, code: CodeType) -> CodeType:
        """A module code object about to run, with its function constants replaced by patched ones."""
        consts = tuple(self.current_of(c) if type(c) is CodeType else c for c in code.co_consts)
        if all(a is b for a, b in zip(consts, code.co_consts, strict=True)):
            return code
        return code.replace(co_consts=consts)
