"""Find the code a probe location points at, in what is already loaded.

- `path_matches(filename, suffix)`: component-wise path suffix match, so `shop/views.py`
  matches `/srv/app/shop/views.py` but not `/srv/app/myshop/views.py`.
- `loaded_files(suffix)`: the distinct source files of loaded modules and live functions that
  match a suffix (more than one means the location is ambiguous).
- `CodeIndex.build(filename, original_of)`: every function code object of one file, found from
  live function objects (module functions, methods, closures, decorated or factory-made) and
  their nested code constants (closures not created yet), with each one's parent code.
"""
from __future__ import annotations

import ast
import gc
import os
import sys
from dataclasses import dataclass, field
from types import CodeType, FunctionType

from ._injection import lines_with_code

_COMPREHENSIONS = frozenset({"<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>", "<lambda>"})
_abspath_cache: dict[str, str] = {}


def normalized(filename: str) -> str:
    found = _abspath_cache.get(filename)
    if found is None:
        found = os.path.normcase(os.path.abspath(filename)).replace("\\", "/")
        if len(_abspath_cache) < 50_000:
            _abspath_cache[filename] = found
    return found


def path_matches(filename: str, suffix: str) -> bool:
    if not filename or filename.startswith("<"):
        return False
    parts = [p for p in suffix.replace("\\", "/").split("/") if p not in ("", ".")]
    have = normalized(filename).split("/")
    return len(parts) <= len(have) and have[-len(parts):] == parts


def live_functions() -> dict[str, list[FunctionType]]:
    """Every live function, grouped by normalized source file."""
    by_raw: dict[str, list[FunctionType]] = {}
    for obj in gc.get_objects():
        if type(obj) is FunctionType:
            by_raw.setdefault(obj.__code__.co_filename, []).append(obj)
    grouped: dict[str, list[FunctionType]] = {}
    for raw, functions in by_raw.items():
        grouped.setdefault(normalized(raw), []).extend(functions)
    return grouped


def loaded_files(suffix: str, functions: dict[str, list[FunctionType]]) -> set[str]:
    found = set()
    for module in list(sys.modules.values()):
        filename = getattr(module, "__file__", None)
        if isinstance(filename, str) and path_matches(filename, suffix):
            found.add(normalized(filename))
    for filename in functions:
        if path_matches(filename, suffix):
            found.add(filename)
    return found


@dataclass
class CodeIndex:
    filename: str
    parent: dict[int, CodeType | None] = field(default_factory=dict)  # id(code) -> parent code
    codes: dict[int, CodeType] = field(default_factory=dict)  # id(code) -> code

    @classmethod
    def build(cls, filename: str, functions: dict[str, list[FunctionType]], original_of) -> CodeIndex:
        """`functions` as from `live_functions()`; `original_of` maps patched code to the original."""
        index = cls(filename)
        roots = []
        for function in functions.get(filename, ()):
            code = original_of(function.__code__)
            if id(code) not in index.codes:
                index.codes[id(code)] = code
                roots.append(code)
        stack = list(roots)
        while stack:
            code = stack.pop()
            for const in code.co_consts:
                if type(const) is CodeType:
                    index.parent[id(const)] = code
                    if id(const) not in index.codes:
                        index.codes[id(const)] = const
                        stack.append(const)
        for code in roots:
            index.parent.setdefault(id(code), None)
        return index

    def parent_chain(self, code: CodeType) -> list[CodeType]:
        chain = []
        parent = self.parent.get(id(code))
        while parent is not None:
            chain.append(parent)
            parent = self.parent.get(id(parent))
        return chain

    def code_for_line(self, line: int) -> CodeType | None:
        """The innermost function code with code on `line` (comprehensions count as their parent)."""
        best, best_depth = None, -1
        for code in self.codes.values():
            if line not in lines_with_code(code):
                continue
            if code.co_name in _COMPREHENSIONS and self.parent.get(id(code)) is not None:
                continue
            depth = len(self.parent_chain(code))
            if depth > best_depth:
                best, best_depth = code, depth
        return best

    def code_for_def_line(self, line: int) -> CodeType | None:
        """The function whose `def` is on `line` when decorators put its first line above."""
        try:
            with open(self.filename, encoding="utf-8") as source:
                tree = ast.parse(source.read(), self.filename)
        except (OSError, SyntaxError, ValueError):
            return None
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.lineno == line \
                    and node.decorator_list:
                first = min(d.lineno for d in node.decorator_list)
                for code in self.codes.values():
                    if code.co_name == node.name and code.co_firstlineno == first:
                        return code
        return None

    def code_lines(self) -> set[int]:
        lines = set()
        for code in self.codes.values():
            lines |= lines_with_code(code)
        return lines

    def nearest_lines(self, line: int, count: int = 2) -> list[int]:
        lines = sorted(self.code_lines())
        before = [n for n in lines if n < line][-count:]
        after = [n for n in lines if n > line][:count]
        return before + after

    def code_for_qualname(self, qualname: str) -> CodeType | None:
        wanted = qualname.replace(".<locals>", "")
        for code in self.codes.values():
            if code.co_qualname == qualname or code.co_qualname.replace(".<locals>", "") == wanted:
                return code
        return None


def module_filename(module_name: str) -> str | None:
    module = sys.modules.get(module_name)
    filename = getattr(module, "__file__", None) if module is not None else None
    return normalized(filename) if isinstance(filename, str) else None
