"""Copy values out of a running frame into plain JSON-ready data, within capture limits.

Runs on the application thread at a snapshot hit, so it is bounded (depth, fields, items, string
length, frames) and never runs application code: builtin containers are read with the C methods
of their base type (`dict.items(d)`, not `d.items()`), other objects through `_safety`.

Shapes (also documented in README.md):
  {"type": "int", "value": 3}
  {"type": "str", "value": "abc...", "truncated": true, "size": 4000}
  {"type": "list", "size": 250, "items": [...], "truncated": true}
  {"type": "dict", "size": 2, "entries": [[key, value], ...]}
  {"type": "shop.models.Cart", "fields": {"id": {...}}}
  {"type": "shop.models.Cart", "notCapturedReason": "depth"}
Redaction happens later, off the application thread, on these shapes (`_redaction.py`).
"""
from __future__ import annotations

import math
import sys
import types
from inspect import CO_VARARGS, CO_VARKEYWORDS
from itertools import islice

from ._probes import CaptureLimits
from ._safety import instance_fields, safe_type_name_of

_SIMPLE = (type(None), bool, int, float)
_HIDDEN_LOCALS = frozenset({"__tierline_call"})


def capture_value(value, limits: CaptureLimits, depth: int = 0) -> dict:
    kind = type(value)
    if kind in _SIMPLE:
        if kind is float and not math.isfinite(value):  # JSON has no NaN or Infinity
            return {"type": "float", "value": repr(value)}
        return {"type": kind.__name__, "value": value}
    if kind is str:
        if len(value) > limits.max_length:
            return {"type": "str", "value": value[:limits.max_length], "truncated": True, "size": len(value)}
        return {"type": "str", "value": value}
    if kind in (bytes, bytearray):
        text = bytes(value[:limits.max_length]).decode("utf-8", "replace")
        found = {"type": kind.__name__, "value": text}
        if len(value) > limits.max_length:
            found.update(truncated=True, size=len(value))
        return found
    type_name = safe_type_name_of(kind)
    if depth >= limits.max_depth:
        return {"type": type_name, "notCapturedReason": "depth"}
    if issubclass(kind, dict):
        size = dict.__len__(value)
        entries = []
        for key, item in dict.items(value):
            if len(entries) >= limits.max_items:
                break
            entries.append([capture_value(key, limits, depth + 1), capture_value(item, limits, depth + 1)])
        return _sized(type_name, size, "entries", entries)
    if issubclass(kind, (list, tuple)):
        base = list if issubclass(kind, list) else tuple
        size = base.__len__(value)
        items = [capture_value(item, limits, depth + 1) for item in islice(base.__iter__(value), limits.max_items)]
        return _sized(type_name, size, "items", items)
    if issubclass(kind, (set, frozenset)):
        base = set if issubclass(kind, set) else frozenset
        size = base.__len__(value)
        items = [capture_value(item, limits, depth + 1) for item in islice(base.__iter__(value), limits.max_items)]
        return _sized(type_name, size, "items", items)
    if kind in (types.FunctionType, types.BuiltinFunctionType):
        return {"type": "function", "value": value.__qualname__}  # C getsets on these exact types
    if kind is types.MethodType:
        function = value.__func__
        name = function.__qualname__ if type(function) is types.FunctionType else safe_type_name_of(type(function))
        return {"type": "method", "value": name}
    if kind is types.ModuleType:
        return {"type": "module", "value": value.__name__}
    if issubclass(kind, type):
        return {"type": "type", "value": type.__dict__["__qualname__"].__get__(value)}
    if issubclass(kind, BaseException):
        args = BaseException.__dict__["args"].__get__(value)
        found = {"type": type_name, "args": capture_value(args, limits, depth + 1)}
        pairs, _ = instance_fields(value, limits.max_fields)
        if pairs:
            found["fields"] = {name: capture_value(item, limits, depth + 1) for name, item in pairs}
        return found
    pairs, total = instance_fields(value, limits.max_fields)
    found = {"type": type_name, "fields": {name: capture_value(item, limits, depth + 1) for name, item in pairs}}
    if total > len(pairs):
        found["truncated"] = True
    return found


def _sized(type_name: str, size: int, key: str, items: list) -> dict:
    found = {"type": type_name, "size": size, key: items}
    if size > len(items):
        found["truncated"] = True
    return found


def argument_names(code: types.CodeType) -> tuple:
    count = code.co_argcount + code.co_kwonlyargcount
    count += bool(code.co_flags & CO_VARARGS) + bool(code.co_flags & CO_VARKEYWORDS)
    return code.co_varnames[:count]


def capture_locals(frame_locals: dict, limits: CaptureLimits, skip=(), depth: int = 0) -> dict:
    found = {}
    for name, value in frame_locals.items():
        if name in skip or name in _HIDDEN_LOCALS:
            continue
        if len(found) >= limits.max_fields:
            break
        found[name] = capture_value(value, limits, depth)
    return found


def capture_snapshot(frame, frame_locals: dict, limits: CaptureLimits) -> dict:
    """Arguments, locals and the stack of `frame`; the caller adds return value or exception."""
    code = frame.f_code
    names = argument_names(code)
    arguments = {name: capture_value(frame_locals[name], limits) for name in names if name in frame_locals}
    snapshot = {"arguments": arguments, "locals": capture_locals(frame_locals, limits, skip=names),
                "stack": capture_stack(frame, limits)}
    return snapshot


def capture_stack(frame, limits: CaptureLimits) -> list:
    stack = []
    caller_limits = CaptureLimits(max_depth=1, max_fields=limits.max_fields, max_items=limits.max_items,
                                  max_length=limits.max_length)
    current = frame
    while current is not None and len(stack) < limits.max_frames:
        code = current.f_code
        entry = {"function": code.co_qualname, "file": code.co_filename, "line": current.f_lineno}
        if 0 < len(stack) < limits.frames_with_locals:
            entry["locals"] = capture_locals(current.f_locals, caller_limits)
        stack.append(entry)
        current = current.f_back
    return stack


def current_frame(depth: int):
    return sys._getframe(depth + 1)
