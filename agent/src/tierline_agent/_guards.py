"""Guards called by compiled probe expressions: the only code a probe expression can reach.

Each guard lets CPython do the work only when the operands are builtin values whose behaviour
cannot reach application code (`_safety.is_plain*`); otherwise it raises `EvaluationError`.
`NAMESPACE` is the globals dict every compiled expression runs in.
"""
from __future__ import annotations

import operator

from . import _safety
from ._context import get_context
from ._safety import PLAIN_TYPES, SCALAR_TYPES, UnsafeAccess, is_plain_deep, safe_type_name

_NUMBERS = (bool, int, float, complex)
_SEQUENCES = (str, bytes, list, tuple)
_MAX_RESULT = 100_000
_MAX_CHECKED_KEYS = 1_000


class EvaluationError(Exception):
    """A probe expression could not be evaluated safely at this hit."""


def _unsafe(what: str, *values) -> EvaluationError:
    kinds = ", ".join(safe_type_name(v) for v in values)
    return EvaluationError(f"{what} on {kinds} would run application code")


def g_ctx_field(name: str):
    """`ctx.<name>`: user, organization, or a tag; None when not set."""
    current = get_context()
    if name == "organization":
        return current.organization
    if name == "user":
        return current.user
    if name == "tags":
        return dict(current.tags)
    return current.tags.get(name)


def g_global(globals_: dict, name: str):
    if name in globals_:
        return globals_[name]
    raise EvaluationError(f"name {name!r} is not defined here")


def g_attr(obj, name):
    try:
        return _safety.safe_getattr(obj, name)
    except UnsafeAccess as error:
        raise EvaluationError(str(error)) from None


def _keys_are_plain(container) -> bool:
    """A lookup in a dict or set compares with stored keys of equal hash: a key of an app class
    (a model hashing by its primary key) would have its `__eq__` run. Checked up to a size."""
    if len(container) > _MAX_CHECKED_KEYS:
        return False
    return all(type(key) in SCALAR_TYPES or is_plain_deep(key) for key in container)


def g_item(obj, key):
    kind = type(obj)
    if kind not in (dict, list, tuple, str, bytes, range):
        raise _unsafe("subscript", obj)
    if type(key) is not slice and not is_plain_deep(key):
        raise _unsafe("subscript key", key)
    if kind is dict and not _keys_are_plain(obj):
        raise _unsafe("subscript of a dict with application keys (or too many keys)", obj)
    try:
        return obj[key]
    except (KeyError, IndexError, TypeError) as error:
        raise EvaluationError(f"{type(error).__name__}: {error}") from None


def g_slice(lower, upper, step):
    for part in (lower, upper, step):
        if part is not None and type(part) is not int:
            raise EvaluationError("slice bounds must be integers")
    return slice(lower, upper, step)


def _compare_slow(op, name, a, b):
    if is_plain_deep(a) and is_plain_deep(b):
        try:
            return op(a, b)
        except TypeError as error:
            raise EvaluationError(str(error)) from None
    if name in ("eq", "ne") and (a is None or b is None):
        return (a is b) if name == "eq" else (a is not b)
    raise _unsafe(f"comparison {name}", a, b)


# The hot path of a condition: scalars compared with the operator inline, no extra call.
_COMPARE_SOURCE = """
def guard(a, b):
    if type(a) in SCALAR_TYPES and type(b) in SCALAR_TYPES:
        try:
            return a {symbol} b
        except TypeError as error:
            raise EvaluationError(str(error)) from None
    return _compare_slow(op, name, a, b)
"""


def _compare(op, name):
    symbol = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[name]
    namespace = {"SCALAR_TYPES": SCALAR_TYPES, "EvaluationError": EvaluationError,
                 "_compare_slow": _compare_slow, "op": op, "name": name}
    exec(_COMPARE_SOURCE.format(symbol=symbol), namespace)  # noqa: S102 - fixed source
    return namespace["guard"]


def g_in_(item, container):
    if type(container) not in PLAIN_TYPES or not is_plain_deep(item):
        raise _unsafe("'in'", item, container)
    if type(container) in (list, tuple) and not is_plain_deep(container, 10_000):
        raise _unsafe("'in'", container)
    if type(container) in (dict, set, frozenset) and not _keys_are_plain(container):
        raise _unsafe("'in' on keys of application classes (or too many keys)", container)
    try:
        return item in container
    except TypeError as error:
        raise EvaluationError(str(error)) from None


def g_not_in(item, container):
    return not g_in_(item, container)


def g_truth(value):
    if type(value) in PLAIN_TYPES or not _safety.has_custom_truth(type(value)):
        return value
    raise _unsafe("truth test", value)


def _arith(op, name):
    def guard(a, b):
        if not (type(a) in SCALAR_TYPES and type(b) in SCALAR_TYPES) and not (is_plain_deep(a) and is_plain_deep(b)):
            raise _unsafe(f"operator {name}", a, b)
        if name == "mul" and (type(a) in _SEQUENCES or type(b) in _SEQUENCES):
            seq, times = (a, b) if type(a) in _SEQUENCES else (b, a)
            if type(times) is int and len(seq) * times > _MAX_RESULT:
                raise EvaluationError("result too large")
        if name == "pow" and type(b) is int and b > 256 and type(a) is int and abs(a) > 1:
            raise EvaluationError("result too large")
        if name == "lshift" and type(b) is int and b > 4096:
            raise EvaluationError("result too large")
        if name == "mod" and type(a) in (str, bytes):  # "%1000000000d" % 1 would build a huge string
            raise EvaluationError("string formatting is not allowed")
        try:
            return op(a, b)
        except (TypeError, ValueError, ArithmeticError) as error:
            raise EvaluationError(f"{type(error).__name__}: {error}") from None
    return guard


def _unary(op, name):
    def guard(a):
        if type(a) not in _NUMBERS:
            raise _unsafe(f"unary {name}", a)
        return op(a)
    return guard


_SIZED = frozenset({str, bytes, list, tuple, dict, set, frozenset, range})


def _sized(value):
    if type(value) in _SIZED:
        return len(value)
    raise _unsafe("len()", value)


def _call_builtin(function, args):
    try:
        return function(*args)
    except (TypeError, ValueError, ArithmeticError) as error:
        raise EvaluationError(f"{function.__name__}(): {type(error).__name__}: {error}") from None


def _deep_plain_arg(function):
    def guard(*args):
        for arg in args:
            if not is_plain_deep(arg, 10_000):
                raise _unsafe(f"{function.__name__}()", arg)
        return _call_builtin(function, args)
    return guard


def _scalar_arg(function):
    def guard(*args):
        for arg in args:
            if type(arg) not in SCALAR_TYPES:
                raise _unsafe(f"{function.__name__}()", arg)
        return _call_builtin(function, args)
    return guard


def _hasattr(obj, name):
    if type(name) is not str:
        raise EvaluationError("hasattr() needs a string name")
    try:
        _safety.safe_getattr(obj, name)
        return True
    except UnsafeAccess:
        return False


BUILTINS = {
    "len": _sized,
    "str": _deep_plain_arg(str),
    "repr": _deep_plain_arg(repr),
    "int": _scalar_arg(int),
    "float": _scalar_arg(float),
    "bool": lambda value: bool(g_truth(value)),
    "abs": _scalar_arg(abs),
    "round": _scalar_arg(round),
    "min": _deep_plain_arg(min),
    "max": _deep_plain_arg(max),
    "sum": _deep_plain_arg(sum),
    "any": _deep_plain_arg(any),
    "all": _deep_plain_arg(all),
    "sorted": _deep_plain_arg(sorted),
    "type": lambda value: safe_type_name(value),
    "hasattr": _hasattr,
}

# method name -> receiver types it is allowed on
METHODS = {
    "lower": (str,), "upper": (str,), "strip": (str,), "lstrip": (str,), "rstrip": (str,),
    "startswith": (str, bytes), "endswith": (str, bytes), "split": (str,), "find": (str, bytes),
    "isdigit": (str,), "isalpha": (str,), "count": (str, list, tuple), "index": (list, tuple),
    "get": (dict,), "keys": (dict,), "values": (dict,), "items": (dict,),
}


def g_call(name, *args):
    try:
        return BUILTINS[name](*args)
    except EvaluationError:
        raise
    except (TypeError, ValueError, ArithmeticError) as error:
        raise EvaluationError(f"{name}(): {type(error).__name__}: {error}") from None


def g_method(obj, name, *args):
    if type(obj) not in METHODS[name]:
        raise _unsafe(f".{name}()", obj)
    for arg in args:
        if not is_plain_deep(arg):
            raise _unsafe(f".{name}() argument", arg)
    if name == "get" and not _keys_are_plain(obj):
        raise _unsafe(".get() on a dict with application keys (or too many keys)", obj)
    try:
        result = getattr(obj, name)(*args)
    except (TypeError, ValueError) as error:
        raise EvaluationError(f".{name}(): {error}") from None
    if name in ("keys", "values", "items"):
        if len(obj) > 10_000:
            raise EvaluationError(f".{name}() of a dict this large is not allowed")
        return list(result)
    return result


def g_is_(a, b):
    return a is b


def g_is_not(a, b):
    return a is not b


NAMESPACE: dict = {"__builtins__": {}, "_g_global": g_global, "_g_ctx": get_context}
NAMESPACE.update({f"_g_builtin_{name}": function for name, function in BUILTINS.items()})
NAMESPACE.update({"_type": type, "_len": len, "_SCALARS": SCALAR_TYPES, "_SIZED": _SIZED})
for _name, _function in list(globals().items()):
    if _name.startswith("g_"):
        NAMESPACE[f"_g_{_name[2:]}"] = _function
for _name, _op in {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "le": operator.le,
                   "gt": operator.gt, "ge": operator.ge}.items():
    NAMESPACE[f"_g_{_name}"] = _compare(_op, _name)
for _name, _op in {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
                   "floordiv": operator.floordiv, "mod": operator.mod, "pow": operator.pow,
                   "and_": operator.and_, "or_": operator.or_, "xor": operator.xor,
                   "lshift": operator.lshift, "rshift": operator.rshift}.items():
    NAMESPACE[f"_g_{_name}"] = _arith(_op, _name)
for _name, _op in {"neg": operator.neg, "pos": operator.pos, "invert": operator.invert}.items():
    NAMESPACE[f"_g_{_name}"] = _unary(_op, _name)
