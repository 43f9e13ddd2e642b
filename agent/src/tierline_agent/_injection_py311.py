"""CPython 3.11 bytecode injection with the `bytecode` library (see `_injection.py`).

A call is `PUSH_NULL; LOAD_CONST hook; <args>; PRECALL n; CALL n`. Hooks are constants of the
new code object, so a hit costs one call and no lookups. Function exits wrap `RETURN_VALUE`; an
extra exception-table handler covers every instruction no existing handler covers, so an
exception leaving the function (including `GeneratorExit` and cancellation thrown into a
generator or coroutine) calls `error` and is re-raised unchanged.
"""
from __future__ import annotations

from types import CodeType

from bytecode import Bytecode, Instr, Label, TryBegin, TryEnd

# Instructions that must stay at the very start of a code object.
_PREAMBLE = {"RESUME", "RETURN_GENERATOR", "MAKE_CELL", "COPY_FREE_VARS", "NOP"}
_RECORD = "__tierline_call"


def lines_with_code(code: CodeType) -> set[int]:
    found = {line for _, _, line in code.co_lines() if line is not None}
    found.discard(code.co_firstlineno)  # the def line holds only the preamble
    return found | ({code.co_firstlineno} if code.co_name != "<module>" else set())


def safe_argument_names(code: CodeType) -> frozenset:
    """Arguments bound on every line: not deleted, not cells (LOAD_FAST reads them safely)."""
    count = code.co_argcount + code.co_kwonlyargcount
    count += bool(code.co_flags & 0x04) + bool(code.co_flags & 0x08)  # *args, **kwargs
    deleted = {instr.arg for instr in Bytecode.from_code(code)
               if isinstance(instr, Instr) and instr.name == "DELETE_FAST"}
    return frozenset(code.co_varnames[:count]) - set(code.co_cellvars) - deleted


def _line_call(hook, lineno) -> list:
    """`hook()` or, for `(hook, names)`, `hook({name: value, ...})` built from fast locals."""
    if not isinstance(hook, tuple):
        return [*_call(hook, lineno), Instr("POP_TOP", lineno=lineno)]
    function, names = hook
    if not names:
        return [*_call(function, lineno), Instr("POP_TOP", lineno=lineno)]
    build = [Instr("LOAD_FAST", name, lineno=lineno) for name in names]
    build += [Instr("LOAD_CONST", tuple(names), lineno=lineno), Instr("BUILD_CONST_KEY_MAP", len(names), lineno=lineno)]
    return [*_call(function, lineno, *build, argc=1), Instr("POP_TOP", lineno=lineno)]


def _call(hook, lineno, *args, argc: int | None = None) -> list:
    argc = len(args) if argc is None else argc
    return [Instr("PUSH_NULL", lineno=lineno), Instr("LOAD_CONST", hook, lineno=lineno), *args,
            Instr("PRECALL", argc, lineno=lineno), Instr("CALL", argc, lineno=lineno)]


def _line_of(item):
    return item.lineno if isinstance(item, Instr) else None


def _preamble_end(items: list) -> int:
    """Index just after the first RESUME (generators start with RETURN_GENERATOR, POP_TOP)."""
    for index, item in enumerate(items):
        if isinstance(item, Instr) and item.name == "RESUME":
            return index + 1
    return 0


_NO_FALLTHROUGH = {"JUMP_FORWARD", "JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT", "RETURN_VALUE",
                   "RERAISE", "RAISE_VARARGS"}


def _jump_sources(items: list) -> dict:
    """id(label) -> [(is_backward, line)] for every jump or handler entry reaching it."""
    positions = {id(item): index for index, item in enumerate(items) if isinstance(item, Label)}
    sources: dict = {}
    for index, item in enumerate(items):
        if isinstance(item, Instr) and isinstance(item.arg, Label):
            target = item.arg
            # The `await` loop jumps back without a line event (as settrace sees it).
            backward = index > positions.get(id(target), index) and item.name != "JUMP_BACKWARD_NO_INTERRUPT"
            sources.setdefault(id(target), []).append((backward, item.lineno))
        elif isinstance(item, TryBegin) and isinstance(item.target, Label):
            sources.setdefault(id(item.target), []).append((False, None))
    return sources


def _inject_lines(items: list, line_hooks, start: int) -> list:
    """Hook each place a line is entered, the way sys.settrace reports line events: where the
    line number changes along the way execution can arrive, or on a backward jump."""
    sources = _jump_sources(items)
    out = items[:start]
    previous = None  # the last real instruction, in order
    labels: list = []  # labels right before the current instruction
    for item in items[start:]:
        if isinstance(item, Label):
            out.append(item)
            labels.append(item)
            continue
        if isinstance(item, (TryBegin, TryEnd)):
            out.append(item)
            continue
        line = item.lineno
        hook = line_hooks.get(line) if line is not None else None
        if hook is not None:
            falls_through = previous is not None and previous.name not in _NO_FALLTHROUGH
            from_fallthrough = falls_through and previous.lineno != line
            if previous is None:
                from_fallthrough = True
            from_jumps = any(backward or source_line != line
                             for label in labels for backward, source_line in sources.get(id(label), ()))
            call = _line_call(hook, line)
            if from_fallthrough and (from_jumps or not labels):
                out.extend(call)
            elif from_jumps and falls_through:
                # Jumps here enter the line; falling through from the same line does not.
                skip = Label()
                out.insert(len(out) - _trailing_markers(out), Instr("JUMP_FORWARD", skip, lineno=line))
                out.extend(call)
                out.append(skip)
            elif from_jumps:
                out.extend(call)
            elif from_fallthrough:
                out[len(out) - _trailing_markers(out):len(out) - _trailing_markers(out)] = call
        out.append(item)
        previous = item
        labels = []
    return out


def _trailing_markers(out: list) -> int:
    """How many labels and try markers end `out` (the jump targets just before this instruction)."""
    count = 0
    for item in reversed(out):
        if not isinstance(item, (Label, TryBegin, TryEnd)):
            break
        count += 1
    return count


def _inject_function(items: list, hooks, start: int, firstline: int) -> list:
    handler = Label()
    out = items[:start]
    out.extend(_call(hooks.enter, firstline))
    out.append(Instr("STORE_FAST", _RECORD, lineno=firstline))
    open_try = None
    depth = 0  # >0 while inside an existing handler's range
    body: list = []
    for item in items[start:]:
        if isinstance(item, TryBegin):
            depth += 1
            if open_try is not None:
                body.append(TryEnd(open_try))
                open_try = None
            body.append(item)
            continue
        if isinstance(item, TryEnd):
            depth -= 1
            body.append(item)
            continue
        if isinstance(item, Instr):
            if depth == 0 and open_try is None:
                open_try = TryBegin(handler, push_lasti=False, stack_depth=0)
                body.append(open_try)
            if item.name == "RETURN_VALUE":
                line = item.lineno
                # [value] -> [NULL, exit, value, record] -> exit(value, record)
                body.extend([Instr("PUSH_NULL", lineno=line), Instr("SWAP", 2, lineno=line),
                             Instr("LOAD_CONST", hooks.exit, lineno=line), Instr("SWAP", 2, lineno=line),
                             Instr("LOAD_FAST", _RECORD, lineno=line),
                             Instr("PRECALL", 2, lineno=line), Instr("CALL", 2, lineno=line)])
        body.append(item)
    if open_try is not None:
        body.append(TryEnd(open_try))
    out.extend(body)
    line = firstline
    # [exc] -> error(record, exc); re-raise unchanged.
    out.extend([handler, Instr("PUSH_NULL", lineno=line), Instr("LOAD_CONST", hooks.error, lineno=line),
                Instr("LOAD_FAST", _RECORD, lineno=line), Instr("COPY", 4, lineno=line),
                Instr("PRECALL", 2, lineno=line), Instr("CALL", 2, lineno=line),
                Instr("POP_TOP", lineno=line), Instr("RERAISE", 0, lineno=line)])
    return out


def inject(code: CodeType, line_hooks, function_hooks) -> CodeType:
    bytecode = Bytecode.from_code(code)
    items = list(bytecode)
    start = _preamble_end(items)
    if line_hooks:
        hooks = dict(line_hooks)
        entry_hook = hooks.pop(code.co_firstlineno, None) if code.co_name != "<module>" else None
        items = _inject_lines(items, hooks, start)
        if entry_hook is not None:  # the def line: once per call, before the body
            items[start:start] = _line_call(entry_hook, code.co_firstlineno)
    if function_hooks is not None:
        items = _inject_function(items, function_hooks, start, code.co_firstlineno)
    bytecode.clear()
    bytecode.extend(items)
    return bytecode.to_code()
