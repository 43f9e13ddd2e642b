"""Read application objects without running application code.

Never `isinstance(app_value, ...)`: when the type check fails it reads `value.__class__`, which a
class may define as a property. `issubclass(type(value), ...)` only walks the MRO.

The map:
- `is_plain(value)`: value of a builtin type whose dunder methods are CPython's own.
- `safe_getattr(obj, name)`: attribute through the instance `__dict__`, `__slots__` or a plain
  class-level value; never a property, descriptor or `__getattr__`.
- `safe_type_name(obj)`: `module.Qualname` read from the type, never from the instance.
- `instance_fields(obj)`: (name, value) pairs of an object's `__dict__` and slots.

Every function here may raise `UnsafeAccess`; callers turn that into an evaluation error.
"""
from __future__ import annotations

import types

# Exact types only: a subclass of str may override __eq__ or __len__.
SCALAR_TYPES = frozenset({type(None), bool, int, float, complex, str, bytes})
CONTAINER_TYPES = frozenset({list, tuple, dict, set, frozenset})
PLAIN_TYPES = SCALAR_TYPES | CONTAINER_TYPES | {range}

_GETSET = types.GetSetDescriptorType
_MEMBER = types.MemberDescriptorType


class UnsafeAccess(Exception):
    """Reading this value would run application code, or the value does not exist."""


def is_plain(value: object) -> bool:
    return type(value) in PLAIN_TYPES


def is_plain_deep(value: object, budget: int = 100) -> bool:
    """True when comparing or hashing `value` cannot reach application code."""
    stack = [value]
    while stack:
        budget -= 1
        if budget < 0:
            return False
        item = stack.pop()
        kind = type(item)
        if kind in SCALAR_TYPES:
            continue
        if kind in (list, tuple, set, frozenset):
            stack.extend(item)
        elif kind is dict:
            stack.extend(item.keys())
            stack.extend(item.values())
        else:
            return False
    return True


_TYPE_MRO = type.__dict__["__mro__"]
_TYPE_DICT = type.__dict__["__dict__"]


def mro_of(kind: type) -> tuple:
    """The MRO read with type's own descriptor, never a metaclass property."""
    return _TYPE_MRO.__get__(kind)


def _mro_lookup(kind: type, name: str):
    for klass in mro_of(kind):
        found = _TYPE_DICT.__get__(klass).get(name, _MISSING)
        if found is not _MISSING:
            return found
    return _MISSING


_MISSING = object()


def instance_dict(obj: object) -> dict | None:
    """The instance `__dict__`, only when it is CPython's own getset descriptor."""
    descriptor = _mro_lookup(type(obj), "__dict__")
    if type(descriptor) is _GETSET:
        try:
            found = descriptor.__get__(obj, type(obj))
        except Exception:
            return None
        return found if type(found) is dict else None
    if issubclass(type(obj), types.ModuleType):
        return object.__getattribute__(obj, "__dict__")
    return None


# (type, name) -> how to read it; types rarely change shape, and a stale plan still only reads
# the instance dict or a slot, never runs code.
_PLANS: dict = {}
_FROM_DICT, _FROM_SLOT, _REFUSED = 0, 1, 2


def _plan(kind: type, name: str):
    class_attr = _mro_lookup(kind, name)
    if class_attr is not _MISSING and type(class_attr) is _MEMBER:
        plan = (_FROM_SLOT, class_attr, None)
    elif class_attr is not _MISSING and hasattr(type(class_attr), "__set__"):
        plan = (_REFUSED, f"{name!r} is a property or descriptor of {safe_type_name_of(kind)}", None)
    else:
        descriptor = _mro_lookup(kind, "__dict__")
        fallback = class_attr if class_attr is not _MISSING and not hasattr(type(class_attr), "__get__") else _MISSING
        plan = (_FROM_DICT, descriptor if type(descriptor) is _GETSET else None, fallback)
    if len(_PLANS) < 10_000:
        _PLANS[(kind, name)] = plan
    return plan


def safe_getattr(obj: object, name: str) -> object:
    kind = type(obj)
    if not issubclass(kind, (type, types.ModuleType)):
        plan = _PLANS.get((kind, name)) or _plan(kind, name)
        mode, source, fallback = plan
        if mode == _FROM_DICT:
            if source is not None:
                try:
                    fields = source.__get__(obj, kind)
                except Exception:
                    fields = None
                if type(fields) is dict and name in fields:
                    return fields[name]
            if fallback is not _MISSING:
                return fallback
            raise UnsafeAccess(f"{safe_type_name(obj)} has no readable attribute {name!r}")
        if mode == _FROM_SLOT:
            try:
                return source.__get__(obj, kind)
            except AttributeError:
                raise UnsafeAccess(f"slot {name!r} is not set") from None
        raise UnsafeAccess(source)
    if issubclass(kind, type):
        # Class attribute of a class object: plain values only.
        found = _mro_lookup(obj, name)
        if found is _MISSING or hasattr(type(found), "__get__"):
            raise UnsafeAccess(f"{safe_type_name(obj)} has no plain attribute {name!r}")
        return found
    class_attr = _mro_lookup(kind, name)
    if class_attr is not _MISSING and type(class_attr) is _MEMBER:  # a slot
        try:
            return class_attr.__get__(obj, kind)
        except AttributeError:
            raise UnsafeAccess(f"slot {name!r} is not set") from None
    if class_attr is not _MISSING and hasattr(type(class_attr), "__set__"):
        # Data descriptors (properties...) would win over __dict__ and run code.
        raise UnsafeAccess(f"{name!r} is a property or descriptor of {safe_type_name(obj)}")
    fields = instance_dict(obj)
    if fields is not None and name in fields:
        return fields[name]
    if class_attr is not _MISSING and not hasattr(type(class_attr), "__get__"):
        return class_attr
    raise UnsafeAccess(f"{safe_type_name(obj)} has no readable attribute {name!r}")


def safe_type_name(obj: object) -> str:
    return safe_type_name_of(type(obj))


def safe_type_name_of(kind: type) -> str:
    module = _TYPE_DICT.__get__(kind).get("__module__")
    qualname = type.__dict__["__qualname__"].__get__(kind)
    if type(module) is not str or module == "builtins":
        return qualname
    return f"{module}.{qualname}"


def instance_fields(obj: object, limit: int) -> tuple[list[tuple[str, object]], int]:
    """Up to `limit` (name, value) pairs from `__dict__` then slots, and the total count."""
    pairs: list[tuple[str, object]] = []
    total = 0
    fields = instance_dict(obj)
    if fields is not None:
        total += len(fields)
        for key, value in fields.items():
            if len(pairs) >= limit:
                break
            if type(key) is str:
                pairs.append((key, value))
    kind = type(obj)
    for klass in mro_of(kind):
        slots = _TYPE_DICT.__get__(klass).get("__slots__", ())
        if type(slots) is str:
            slots = (slots,)
        if type(slots) not in (tuple, list):
            continue
        for slot in slots:
            if type(slot) is not str or slot in ("__dict__", "__weakref__"):
                continue
            descriptor = _TYPE_DICT.__get__(klass).get(slot)
            if type(descriptor) is not _MEMBER:
                continue
            try:
                value = descriptor.__get__(obj, kind)
            except AttributeError:
                continue
            total += 1
            if len(pairs) < limit:
                pairs.append((slot, value))
    return pairs, total


def has_custom_truth(kind: type) -> bool:
    return _mro_lookup(kind, "__bool__") is not _MISSING or _mro_lookup(kind, "__len__") is not _MISSING
