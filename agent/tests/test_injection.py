"""The injection layer on its own: line hooks fire exactly where sys.settrace sees line events."""
import asyncio
import sys

import pytest
from samples import shapes
from tierline_agent._injection import FunctionHooks, inject, lines_with_code


def settrace_lines(function, call):
    seen = []

    def tracer(frame, event, arg):
        if frame.f_code is function.__code__ and event == "line":
            seen.append(frame.f_lineno)
        return tracer
    sys.settrace(tracer)
    try:
        call()
    finally:
        sys.settrace(None)
    return seen


def injected_lines(function, call):
    seen = []
    original = function.__code__
    hooks = {line: (lambda line=line: seen.append(line)) for line in lines_with_code(original)
             if line != original.co_firstlineno}
    function.__code__ = inject(original, hooks)
    try:
        call()
    finally:
        function.__code__ = original
    return seen


def loops_and_handlers(items):
    total = 0
    for item in items:
        try:
            total += item
        except TypeError:
            continue
        finally:
            total += 1
    while total > 10:
        total -= 3
    result = [x for x in range(3)]
    value = max(
        total,
        len(result))
    with open(__file__) as handle:
        handle.read(1)
    return value if value else -1


CASES = [
    (shapes.plain, lambda: shapes.plain("ab", "u")),
    (shapes.with_finally, lambda: (shapes.with_finally(0), shapes.with_finally(1))),
    (shapes.gen, lambda: list(shapes.gen(3))),
    (shapes.Cart.total, lambda: shapes.Cart([1]).total()),
    (loops_and_handlers, lambda: loops_and_handlers([1, "x", 30])),
    (shapes.coro, lambda: asyncio.run(shapes.coro(1))),
]


@pytest.mark.parametrize("function,call", CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_line_hooks_match_settrace(function, call):
    expected = settrace_lines(function, call)
    assert expected
    assert injected_lines(function, call) == expected


def test_function_hooks_see_return_and_exception_and_pass_the_value_through():
    calls = []
    hooks = FunctionHooks(enter=lambda: "record",
                          exit=lambda value, record: calls.append(("exit", value, record)) or value,
                          error=lambda record, error: calls.append(("error", type(error).__name__, record)))
    original = shapes.raises.__code__
    shapes.raises.__code__ = inject(original, {}, hooks)
    try:
        assert shapes.raises(0) == 0
        with pytest.raises(ValueError):
            shapes.raises(1)
    finally:
        shapes.raises.__code__ = original
    assert calls == [("exit", 0, "record"), ("error", "ValueError", "record")]


def test_exception_inside_handled_try_is_not_reported_as_exit():
    errors = []
    hooks = FunctionHooks(enter=lambda: None, exit=lambda value, record: value,
                          error=lambda record, error: errors.append(error))
    original = shapes.with_finally.__code__
    shapes.with_finally.__code__ = inject(original, {}, hooks)
    try:
        assert shapes.with_finally(0) == 0  # ZeroDivisionError is caught inside
    finally:
        shapes.with_finally.__code__ = original
    assert errors == []
