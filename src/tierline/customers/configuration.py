"""Configuration snapshots as flat paths: flattening, diffing, and the checks on what arrives.

A snapshot is a JSON object; `flatten` turns it into {"limits.api.rate": 100, "flags.0": "beta"}
so that diffs and sensitivity rules work on one dotted path per value.
"""

import hashlib
import json

from tierline.errors import InvalidInput, PayloadTooLarge

MAX_BYTES = 256 * 1024
MAX_DEPTH = 20
MAX_VALUES = 5000


def canonical(data) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(data) -> str:
    return hashlib.sha256(canonical(data).encode()).hexdigest()


def check_configuration(data) -> None:
    if not isinstance(data, dict):
        raise InvalidInput("A configuration is a JSON object", {"body": "must be an object"})
    if "\\u0000" in canonical(data):  # PostgreSQL's JSON cannot hold NUL characters
        raise InvalidInput("A configuration cannot contain NUL characters", {"body": "NUL character"})
    if len(canonical(data).encode()) > MAX_BYTES:
        raise PayloadTooLarge(f"A configuration is at most {MAX_BYTES // 1024} KiB")
    if len(flatten(data)) > MAX_VALUES:
        raise PayloadTooLarge(f"A configuration has at most {MAX_VALUES} values")


def flatten(data, prefix: str = "") -> dict[str, object]:
    """Leaf values by dotted path; empty objects and lists are leaves too, so they show in diffs."""
    flat: dict[str, object] = {}
    stack = [(prefix, data, 0)]
    while stack:
        path, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidInput("Configuration nested too deeply", {"body": f"at most {MAX_DEPTH} levels"})
        if isinstance(value, dict) and value:
            stack.extend((f"{path}.{k}" if path else str(k), v, depth + 1) for k, v in value.items())
        elif isinstance(value, list) and value:
            stack.extend((f"{path}.{i}" if path else str(i), v, depth + 1) for i, v in enumerate(value))
        else:
            flat[path] = value
    return dict(sorted(flat.items()))


def diff(before: dict, after: dict) -> list[dict]:
    """Changes between two flattened snapshots, by path: added, removed or changed."""
    changes = []
    for path in sorted(before.keys() | after.keys()):
        if path not in before:
            changes.append({"path": path, "change": "added", "before": None, "after": after[path]})
        elif path not in after:
            changes.append({"path": path, "change": "removed", "before": before[path], "after": None})
        elif before[path] != after[path] or type(before[path]) is not type(after[path]):
            changes.append({"path": path, "change": "changed", "before": before[path], "after": after[path]})
    return changes


def protect_secrets(data, is_secret, prefix: str = "configuration"):
    """A copy of `data` with every secret value replaced by its fingerprint, before it is stored."""
    from .sensitivity import secret_fingerprint

    if isinstance(data, dict):
        return {k: protect_secrets(v, is_secret, f"{prefix}.{k}") for k, v in data.items()}
    if isinstance(data, list):
        return [protect_secrets(v, is_secret, f"{prefix}.{i}") for i, v in enumerate(data)]
    return secret_fingerprint(data) if is_secret(prefix) and data not in (None, "") else data
