"""The expression checker rejects what is unsafe, with a position; evaluation never runs app code."""
import pytest
from tierline_agent._context import context
from tierline_agent._expressions import ExpressionError, compile_expression, compile_template
from tierline_agent._guards import EvaluationError


def evaluate(source, **names):
    return compile_expression(source).evaluate(names, {})


@pytest.mark.parametrize("source,column", [
    ("__import__('os').system('x')", 18),
    ("x.__class__", 3),
    ("x.__dict__", 3),
    ("open('/etc/passwd')", 1),
    ("x.append(1)", 3),
    ("user.save()", 6),
    ("[i for i in x]", 1),
    ("{k: 1 for k in x}", 1),
    ("lambda: 1", 1),
    ("(y := 1)", 2),
    ("f'{x}'", 1),
    ("getattr(x, 'a')", 1),
    ("eval('1')", 1),
    ("len(x, **k)", 1),
    ("a +", 1),
    ("len(token) > 8 and ctx.organization.delete()", 37),
])
def test_hostile_expressions_are_rejected_with_a_position(source, column):
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source)
    assert caught.value.line == 1
    assert caught.value.column == column, str(caught.value)
    assert "column" in str(caught.value)


def test_assignment_and_import_are_syntax_errors_in_an_expression():
    for source in ("x = 1", "import os", "del x"):
        with pytest.raises(ExpressionError):
            compile_expression(source)


def test_template_error_position_points_into_the_template():
    with pytest.raises(ExpressionError) as caught:
        compile_template("value {x.__class__} here")
    assert caught.value.column == 10


def test_allowed_subset_evaluates():
    assert evaluate("len(token) > 3 and user.name == 'ann'", token="abcd", user=User("ann")) is True
    assert evaluate("items[1:3]", items=[1, 2, 3, 4]) == [2, 3]
    assert evaluate("data['k'] * 2 + 1", data={"k": 4}) == 9
    assert evaluate("min(a, b) if a else max([a, b])", a=0, b=5) == 5
    assert evaluate("name.lower().startswith('a')", name="Ann") is True
    assert evaluate("not flag", flag=False) is True
    assert evaluate("x in (1, 2) and y is None", x=2, y=None) is True
    assert evaluate("type(u)", u=User("a")) == "test_expressions.User"
    assert evaluate("u.LIMIT", u=User("a")) == 10


def test_ctx_reads_the_request_context():
    expression = compile_expression("ctx.organization == 'acme' and ctx.user == 'u1'")
    assert expression.evaluate({}, {}) is False
    with context(user="u1", organization="acme"):
        assert expression.evaluate({}, {}) is True
    assert not expression.needs_frame


class User:
    LIMIT = 10

    def __init__(self, name):
        self.name = name


class Hostile:
    """Every hook that could run code raises or loops."""

    def __init__(self):
        self.plain = 1
        self.calls = 0

    def __repr__(self):
        raise RuntimeError("repr ran")

    def __str__(self):
        raise RuntimeError("str ran")

    def __eq__(self, other):
        while True:  # would hang the host
            pass

    __hash__ = object.__hash__

    def __bool__(self):
        raise RuntimeError("bool ran")

    def __len__(self):
        raise RuntimeError("len ran")

    def __getattr__(self, name):
        raise RuntimeError("getattr ran")

    def __lt__(self, other):
        raise RuntimeError("lt ran")

    def __add__(self, other):
        raise RuntimeError("add ran")

    @property
    def secret(self):
        raise RuntimeError("property ran")

    @property
    def __class__(self):  # isinstance() falls back to this when the type check fails
        raise RuntimeError("__class__ ran")


@pytest.mark.parametrize("source", [
    "h == 1", "1 == h", "h != 'x'", "h < 2", "h + 1", "len(h)", "str(h)", "repr(h)", "h and 1",
    "not h", "h.secret", "h.missing", "[h] == [h]", "h in [1]", "1 in [h]", "sorted([h, h])", "-h",
    "max(h, 1)", "bool(h)", "d[h]",
])
def test_hostile_objects_never_run_code(source):
    hostile = Hostile()
    with pytest.raises(EvaluationError):
        compile_expression(source).evaluate({"h": hostile, "d": {1: 2}}, {})


def test_hostile_object_plain_fields_and_identity_still_work():
    hostile = Hostile()
    assert evaluate("h.plain + 1", h=hostile) == 2
    assert evaluate("h is not None", h=hostile) is True
    assert evaluate("h == None", h=hostile) is False
    assert evaluate("hasattr(h, 'secret')", h=hostile) is False


def test_huge_results_are_refused():
    for source in ("'x' * 10**9", "2 ** 100000", "1 << 100000", "'%1000000000d' % 1", "[0] * 10**8"):
        with pytest.raises(EvaluationError):
            compile_expression(source).evaluate({}, {})


def test_missing_name_is_an_evaluation_error():
    with pytest.raises(EvaluationError, match="not defined"):
        evaluate("nope + 1")


def test_globals_are_read_after_locals():
    expression = compile_expression("LIMIT + x")
    assert expression.evaluate({"x": 1}, {"LIMIT": 10}) == 11


def test_slots_are_readable():
    class Point:
        __slots__ = ("x", "y")

        def __init__(self):
            self.x = 3

    assert evaluate("p.x", p=Point()) == 3
    with pytest.raises(EvaluationError):
        evaluate("p.y", p=Point())


def test_deeply_nested_expressions_are_rejected_not_crashing():
    for source in ("x" + ".a" * 900, "(" * 300 + "1" + ")" * 300, "-" * 1500 + "1"):
        with pytest.raises(ExpressionError):
            compile_expression(source)


def test_template_parts_and_literal_braces():
    template = compile_template("len {len(token)} for {user} {{literal}}")
    literal = [p for p in template.parts if isinstance(p, str)]
    assert literal == ["len ", " for ", " {literal}"]
    assert [p.source for p in template.parts if not isinstance(p, str)] == ["len(token)", "user"]
    for bad in ("open {x", "close }", "{}"):
        with pytest.raises(ExpressionError):
            compile_template(bad)


def test_lookups_never_compare_with_application_keys():
    class Model:
        def __init__(self, pk):
            self.pk = pk

        def __hash__(self):
            return hash(self.pk)

        def __eq__(self, other):
            raise RuntimeError("__eq__ ran")

    by_model = {Model(5): "five"}
    for source in ("d[5]", "5 in d", "d.get(5)", "5 in s"):
        with pytest.raises(EvaluationError):
            compile_expression(source).evaluate({"d": by_model, "s": set(by_model)}, {})
    assert evaluate("d['a'] + 1", d={"a": 1}) == 2
