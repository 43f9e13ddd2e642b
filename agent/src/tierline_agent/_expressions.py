"""Probe expressions: a safe subset of Python, checked on the AST and compiled once.

The map:
- `compile_expression(source)` -> `Expression`: parses, rejects anything outside the subset with
  `ExpressionError(message, line, column)`, then rewrites the tree so every name, attribute,
  subscript, comparison, operator and call goes through the guards in `_guards.py`, and compiles it
  to a plain function `(locals, globals) -> value`. Nothing is walked per hit.
- `compile_template(text)` -> `Template`: a log message with `{expression}` parts.

Allowed: names, attributes, subscripts and slices, literals, list/tuple displays, comparisons,
boolean, arithmetic and unary operators, `x if c else y`, calls to `SAFE_BUILTINS` and to a few
methods of builtin values (`SAFE_METHODS`). The name `ctx` is the request context; `_return`,
`_exception` and `_duration` (milliseconds) exist at a function probe's exit.
"""
from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from . import _guards

SAFE_BUILTINS = frozenset(_guards.BUILTINS)
SAFE_METHODS = frozenset(_guards.METHODS)
_MEASURES = frozenset({"len", "type", "bool", "hasattr"})
SPECIAL_NAMES = frozenset({"ctx", "_return", "_exception", "_duration"})

_COMPARE = {
    ast.Eq: "eq", ast.NotEq: "ne", ast.Lt: "lt", ast.LtE: "le", ast.Gt: "gt", ast.GtE: "ge",
    ast.In: "in_", ast.NotIn: "not_in", ast.Is: "is_", ast.IsNot: "is_not",
}
_BINARY = {
    ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "truediv", ast.FloorDiv: "floordiv",
    ast.Mod: "mod", ast.Pow: "pow", ast.BitAnd: "and_", ast.BitOr: "or_", ast.BitXor: "xor",
    ast.LShift: "lshift", ast.RShift: "rshift",
}
_INLINE_COMPARE = frozenset({"eq", "ne", "lt", "le", "gt", "ge"})
_UNARY = {ast.USub: "neg", ast.UAdd: "pos", ast.Invert: "invert"}


class ExpressionError(ValueError):
    """A probe expression outside the safe subset; `line` and `column` are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int = 1, source: str = ""):
        super().__init__(f"{message} (line {line}, column {column})")
        self.message, self.line, self.column, self.source = message, line, column, source


@dataclass(frozen=True)
class Expression:
    source: str
    evaluate: Callable[[dict, dict], object]
    names: frozenset = frozenset()
    identifiers: frozenset = frozenset()  # names, attributes and string keys it reads
    reveals_value: bool = True  # False for len(...), comparisons...: a redacted input stays hidden


    @property
    def needs_frame(self) -> bool:
        """False when the expression reads only literals and `ctx`: no frame locals to build."""
        return bool(self.names - {"ctx"})


@dataclass(frozen=True)
class Template:
    source: str
    parts: tuple  # str literals and Expression objects, in order

    @property
    def needs_frame(self) -> bool:
        return any(isinstance(p, Expression) and p.needs_frame for p in self.parts)


def _fail(node: ast.AST, message: str, source: str, line_offset: int = 0, col_offset: int = 0):
    line = getattr(node, "lineno", 1) + line_offset
    column = getattr(node, "col_offset", 0) + 1 + (col_offset if getattr(node, "lineno", 1) == 1 else 0)
    raise ExpressionError(message, line, column, source)


class _Checker(ast.NodeTransformer):
    """Rejects unsafe nodes and rewrites the rest into guarded calls."""

    def __init__(self, source: str, line_offset: int, col_offset: int):
        self.source, self.line_offset, self.col_offset = source, line_offset, col_offset
        self.names: set[str] = set()
        self.identifiers: set[str] = set()
        self.temps = 0

    def fail(self, node, message):
        if isinstance(node, ast.Attribute) and node.value.end_lineno == node.lineno:
            # point at the attribute name, not at the start of the whole chain
            node = ast.Constant(None, lineno=node.lineno, col_offset=node.value.end_col_offset + 1)
        _fail(node, message, self.source, self.line_offset, self.col_offset)

    def generic_visit(self, node):
        self.fail(node, f"{type(node).__name__} is not allowed in a probe expression")

    @staticmethod
    def guard(name: str, *args: ast.expr) -> ast.expr:
        return ast.Call(func=ast.Name(id=f"_g_{name}", ctx=ast.Load()), args=list(args), keywords=[])

    def visit_Expression(self, node):
        node.body = self.visit(node.body)
        return node

    def visit_Constant(self, node):
        if isinstance(node.value, (int, float, str, bytes, bool, type(None), complex)):
            if isinstance(node.value, (str, bytes)) and len(node.value) > 10_000:
                self.fail(node, "literal too long")
            return node
        self.fail(node, "unsupported literal")

    def visit_Name(self, node):
        name = node.id
        if name.startswith("__"):
            self.fail(node, f"name {name!r} is not allowed (dunder)")
        self.names.add(name)
        self.identifiers.add(name)
        if name == "ctx":
            return self.guard("ctx")
        # locals first (inline: no call on the hot path), then module globals.
        local = ast.Name(id="_l", ctx=ast.Load())
        return ast.IfExp(
            test=ast.Compare(left=ast.Constant(name), ops=[ast.In()], comparators=[local]),
            body=ast.Subscript(value=ast.Name(id="_l", ctx=ast.Load()), slice=ast.Constant(name), ctx=ast.Load()),
            orelse=self.guard("global", ast.Name(id="_G", ctx=ast.Load()), ast.Constant(name)))

    def visit_Attribute(self, node):
        if node.attr.startswith("__"):
            self.fail(node, f"attribute {node.attr!r} is not allowed (dunder)")
        self.identifiers.add(node.attr)
        if isinstance(node.value, ast.Name) and node.value.id == "ctx":
            self.names.add("ctx")
            return self.guard("ctx_field", ast.Constant(node.attr))
        return self.guard("attr", self.visit(node.value), ast.Constant(node.attr))

    def visit_Subscript(self, node):
        if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            self.identifiers.add(node.slice.value)
        return self.guard("item", self.visit(node.value), self.visit(node.slice))

    def visit_Slice(self, node):
        parts = [self.visit(p) if p is not None else ast.Constant(None) for p in (node.lower, node.upper, node.step)]
        return self.guard("slice", *parts)

    def visit_List(self, node):
        return ast.List(elts=[self.visit(e) for e in node.elts], ctx=ast.Load())

    def visit_Tuple(self, node):
        return ast.Tuple(elts=[self.visit(e) for e in node.elts], ctx=ast.Load())

    def temp(self) -> str:
        self.temps += 1
        return f"_t{self.temps}"

    @staticmethod
    def load(name: str) -> ast.expr:
        return ast.Name(id=name, ctx=ast.Load())

    def scalar_test(self, name: str, value: ast.expr) -> ast.expr:
        """`type(name := value) in SCALARS`: evaluates `value` once and checks it is a scalar."""
        walrus = ast.NamedExpr(target=ast.Name(id=name, ctx=ast.Store()), value=value)
        return ast.Compare(left=ast.Call(func=self.load("_type"), args=[walrus], keywords=[]),
                           ops=[ast.In()], comparators=[self.load("_SCALARS")])

    def visit_Compare(self, node):
        values = [self.visit(node.left)] + [self.visit(c) for c in node.comparators]
        checks = []
        for index, op in enumerate(node.ops):
            left, right = values[index], values[index + 1]
            name = _COMPARE[type(op)]
            if name in _INLINE_COMPARE and len(node.ops) == 1:
                # Fast path inline (no call when both sides are scalars); the guard otherwise.
                a, b = self.temp(), self.temp()
                test = ast.BinOp(left=self.scalar_test(a, left), op=ast.BitAnd(), right=self.scalar_test(b, right))
                inline = ast.Compare(left=self.load(a), ops=[op], comparators=[self.load(b)])
                checks.append(ast.IfExp(test=test, body=inline, orelse=self.guard(name, self.load(a), self.load(b))))
            else:
                checks.append(self.guard(name, left, right))
        return checks[0] if len(checks) == 1 else ast.BoolOp(op=ast.And(), values=checks)

    def visit_BoolOp(self, node):
        return ast.BoolOp(op=node.op, values=[self.guard("truth", self.visit(v)) for v in node.values])

    def visit_UnaryOp(self, node):
        operand = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return ast.UnaryOp(op=ast.Not(), operand=self.guard("truth", operand))
        return self.guard(_UNARY[type(node.op)], operand)

    def visit_BinOp(self, node):
        name = _BINARY.get(type(node.op))
        if name is None:
            self.fail(node, "operator not allowed")
        return self.guard(name, self.visit(node.left), self.visit(node.right))

    def visit_IfExp(self, node):
        return ast.IfExp(test=self.guard("truth", self.visit(node.test)), body=self.visit(node.body),
                         orelse=self.visit(node.orelse))

    def visit_Call(self, node):
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            self.fail(node, "keyword and star arguments are not allowed")
        args = [self.visit(a) for a in node.args]
        func = node.func
        if isinstance(func, ast.Name):
            if func.id not in SAFE_BUILTINS:
                self.fail(func, f"call to {func.id!r} is not allowed; allowed: {', '.join(sorted(SAFE_BUILTINS))}")
            if func.id == "len" and len(args) == 1:
                value = self.temp()
                walrus = ast.NamedExpr(target=ast.Name(id=value, ctx=ast.Store()), value=args[0])
                test = ast.Compare(left=ast.Call(func=self.load("_type"), args=[walrus], keywords=[]),
                                   ops=[ast.In()], comparators=[self.load("_SIZED")])
                return ast.IfExp(test=test, body=ast.Call(func=self.load("_len"), args=[self.load(value)], keywords=[]),
                                 orelse=self.guard("builtin_len", self.load(value)))
            return self.guard(f"builtin_{func.id}", *args)
        if isinstance(func, ast.Attribute):
            if func.attr not in SAFE_METHODS:
                self.fail(func, f"method {func.attr!r} is not allowed")
            return self.guard("method", self.visit(func.value), ast.Constant(func.attr), *args)
        self.fail(node, "only calls to allowed builtins and methods")


def compile_expression(source: str, line_offset: int = 0, col_offset: int = 0) -> Expression:
    if not isinstance(source, str) or not source.strip():
        raise ExpressionError("empty expression", 1, 1, str(source))
    if len(source) > 2000:
        raise ExpressionError("expression too long", 1, 1, source)
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        raise ExpressionError(f"syntax error: {error.msg}", (error.lineno or 1) + line_offset,
                              (error.offset or 1) + (col_offset if (error.lineno or 1) == 1 else 0), source) from None
    try:
        return _compile_tree(tree, source, line_offset, col_offset)
    except RecursionError:
        raise ExpressionError("expression too deeply nested", 1, 1, source) from None


def _compile_tree(tree, source: str, line_offset: int, col_offset: int) -> Expression:
    checker = _Checker(source, line_offset, col_offset)
    top = tree.body
    reveals_value = not (isinstance(top, (ast.Compare, ast.BoolOp)) or (
        isinstance(top, ast.UnaryOp) and isinstance(top.op, ast.Not)) or (
        isinstance(top, ast.Call) and isinstance(top.func, ast.Name) and top.func.id in _MEASURES))
    body = checker.visit(tree).body
    function = ast.Expression(body=ast.Lambda(
        args=ast.arguments(posonlyargs=[], args=[ast.arg("_l"), ast.arg("_G")], kwonlyargs=[],
                           kw_defaults=[], defaults=[]),
        body=body))
    ast.fix_missing_locations(function)
    code = compile(function, "<probe expression>", "eval")
    evaluate = eval(code, dict(_guards.NAMESPACE))  # noqa: S307 - checked tree, guarded namespace
    return Expression(source, evaluate, frozenset(checker.names), frozenset(checker.identifiers), reveals_value)


def compile_template(text: str) -> Template:
    """Split `"a {expr} b"` into parts; `{{` and `}}` are literal braces."""
    parts: list = []
    literal: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "{" and text.startswith("{{", index):
            literal.append("{")
            index += 2
        elif char == "}" and text.startswith("}}", index):
            literal.append("}")
            index += 2
        elif char == "{":
            end, depth = index + 1, 1
            while end < len(text) and depth:
                depth += {"{": 1, "}": -1}.get(text[end], 0)
                end += 1
            if depth:
                raise ExpressionError("unclosed '{' in template", 1, index + 1, text)
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(compile_expression(text[index + 1:end - 1], col_offset=index + 1))
            index = end
        elif char == "}":
            raise ExpressionError("single '}' in template", 1, index + 1, text)
        else:
            literal.append(char)
            index += 1
    if literal:
        parts.append("".join(literal))
    return Template(text, tuple(parts))
