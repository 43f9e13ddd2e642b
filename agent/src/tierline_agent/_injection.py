"""Bytecode injection behind one small interface, one implementation per CPython version.

`inject(code, line_hooks, function_hooks)` returns a new code object in which:
- each line in `line_hooks` calls its hook every time execution enters the line, the way
  `sys.settrace` reports line events (once per loop iteration for a `for` line); a hook given as
  `(hook, names)` is called with one dict of those local names (from `safe_argument_names`);
- with `function_hooks`, `enter()` runs on entry, `exit(value, record)` before every return (its
  result is what is returned) and `error(record, exception)` when an exception leaves the code.
Hooks must never raise: the sites in `_sites.py` guarantee it.

`lines_with_code(code)` lists the lines a probe can be placed on. Removal never goes through
here: the patcher keeps the original code object and puts it back.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import CodeType


@dataclass(frozen=True)
class FunctionHooks:
    enter: Callable[[], object]
    exit: Callable[[object, object], object]
    error: Callable[[object, BaseException], None]


if sys.version_info[:2] == (3, 11):
    from ._injection_py311 import inject as _inject
    from ._injection_py311 import lines_with_code as _lines_with_code
    from ._injection_py311 import safe_argument_names as _safe_argument_names
else:  # pragma: no cover - other versions get their own module
    _inject = _lines_with_code = _safe_argument_names = None


def is_supported() -> bool:
    return _inject is not None


def inject(code: CodeType, line_hooks: Mapping[int, Callable[[], None]],
           function_hooks: FunctionHooks | None = None) -> CodeType:
    if _inject is None:
        raise RuntimeError(f"bytecode injection is not implemented for Python {sys.version_info[:2]}")
    return _inject(code, line_hooks, function_hooks)


def safe_argument_names(code: CodeType) -> frozenset:
    """Names the injected call may pass by value: bound on every line of `code`."""
    return _safe_argument_names(code) if _safe_argument_names is not None else frozenset()


def lines_with_code(code: CodeType) -> set[int]:
    if _lines_with_code is None:
        return set()
    return _lines_with_code(code)
