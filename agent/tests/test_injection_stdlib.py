"""Differential test on real code: every function of a few pure-Python stdlib modules gets hooks
on every line (and entry/exit hooks); results must not change and line events must match
sys.settrace exactly."""
import argparse
import collections
import difflib
import fractions
import gc
import json
import shlex
import statistics
import sys
import textwrap
import types

import pytest
from tierline_agent._injection import FunctionHooks, inject, lines_with_code

MODULES = (textwrap, difflib, argparse, shlex, fractions, statistics)


def workload():
    text = "The quick brown fox jumps over the lazy dog. " * 20
    out = [textwrap.fill(text, width=37), textwrap.dedent("    a\n    b\n"), textwrap.shorten(text, 50)]
    a, b = text.split(), (text.replace("fox", "cat") + " extra").split()
    out.append(list(difflib.unified_diff(a, b, lineterm="")))
    out.append(difflib.SequenceMatcher(None, text, text[::-1]).ratio())
    out.append(difflib.get_close_matches("appel", ["ape", "apple", "peach", "puppy"]))
    parser = argparse.ArgumentParser(prog="demo")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("names", nargs="*")
    out.append(vars(parser.parse_args(["--count", "3", "a", "b"])))
    out.append(parser.format_help())
    try:
        parser.parse_args(["--count", "x"])
    except SystemExit as error:
        out.append(f"exit {error.code}")
    out.append(shlex.split("a 'b c' \"d e\" f\\ g"))
    out.append(str(sum(fractions.Fraction(1, n) for n in range(1, 30))))
    out.append([statistics.mean([1, 2, 3, 4]), statistics.median([5, 1, 3]), statistics.pstdev([1.5, 2.5, 9.0])])
    return json.dumps(out, default=str)


def module_functions():
    found = []
    for obj in gc.get_objects():
        if type(obj) is types.FunctionType and any(obj.__code__.co_filename == m.__file__ for m in MODULES):
            found.append(obj)
    return found


def trace_events(codes):
    events = collections.defaultdict(list)

    def tracer(frame, event, arg):
        if frame.f_code in codes:
            def local(frame, event, arg):
                if event == "line":
                    events[codes[frame.f_code]].append(frame.f_lineno)
                return local
            return local
        return None
    sys.settrace(tracer)
    try:
        result = workload()
    finally:
        sys.settrace(None)
    return result, events


@pytest.fixture
def functions():
    functions = module_functions()
    originals = {f: f.__code__ for f in functions}
    yield functions
    for function, code in originals.items():
        function.__code__ = code


def test_line_hooks_everywhere_match_settrace(functions):
    codes = {}
    for function in functions:
        codes.setdefault(function.__code__, function.__code__.co_qualname + str(id(function.__code__)))
    expected_result, expected = trace_events(codes)
    seen = collections.defaultdict(list)
    for function in functions:
        code = function.__code__
        key = codes[code]
        hooks = {line: (lambda key=key, line=line: seen[key].append(line))
                 for line in lines_with_code(code) if line != code.co_firstlineno}
        function.__code__ = inject(code, hooks)
    assert workload() == expected_result
    # closures created during the workload run the original code here (the patcher, not this
    # raw injection test, handles those)
    expected = {k: v for k, v in expected.items() if v and "<locals>" not in k}
    assert set(k for k in seen if "<locals>" not in k) == set(expected)
    for key, lines in expected.items():
        assert seen[key] == lines, key


def test_function_hooks_everywhere_keep_results_and_balance(functions):
    expected = workload()
    counts = collections.Counter()

    def enter():
        counts["enter"] += 1
        return "r"

    def exit_(value, record):
        counts["exit"] += 1
        return value

    def error(record, exc):
        counts["error"] += 1

    hooks = FunctionHooks(enter, exit_, error)
    for function in functions:
        function.__code__ = inject(function.__code__, {}, hooks)
    assert workload() == expected
    assert counts["enter"] > 100
    assert counts["enter"] == counts["exit"] + counts["error"]


def test_installer_probes_on_every_line_of_a_module_then_exact_restore():
    from tierline_agent._installer import Installer
    from tierline_agent._locate import CodeIndex, live_functions, normalized
    from tierline_agent._probes import parse_probe
    from tierline_agent._sites import Runtime

    expected = workload()
    before = {f: f.__code__ for f in module_functions() if f.__code__.co_filename == textwrap.__file__}
    runtime = Runtime(queue_size=100)
    installer = Installer(runtime)
    index = CodeIndex.build(normalized(textwrap.__file__), live_functions(), lambda c: c)
    lines = sorted(index.code_lines())
    installer.apply([parse_probe({"id": f"l{line}", "kind": "metric", "location": f"textwrap.py:{line}"})
                     for line in lines])
    statuses = {s["status"] for s in installer.statuses.values()}
    assert statuses == {"installed"}, [s for s in installer.statuses.values() if s["status"] != "installed"][:3]
    assert workload() == expected
    counted = {p["probe_id"] for p in runtime.metrics.flush()}
    assert len(counted) > len(lines) // 3
    installer.remove_all()
    assert all(f.__code__ is code for f, code in before.items())
    assert workload() == expected
