"""Captured values (the agent README's "Captured values" format) as an HTML tree: scalars inline,
containers and objects as `<details>` to expand, redacted and uncaptured values visibly marked.
static/probes/investigate.js draws the same tree for hits that arrive live; keep the two alike."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

MAX_NODES = 2000  # a snapshot has at most a few hundred values within the agent's limits


def _note(value: dict) -> str:
    notes = []
    if "size" in value and ("items" in value or "entries" in value or value.get("truncated")):
        notes.append(f"size {value['size']}")
    if value.get("truncated"):
        notes.append("truncated")
    return f" ({', '.join(notes)})" if notes else ""


def _scalar(value: dict) -> SafeString:
    if value.get("redacted"):
        size = f", {value['size']} characters" if "size" in value else ""
        return format_html('<span class="redacted" title="hidden by the agent">[redacted{}]</span>', size)
    if "notCapturedReason" in value:
        return format_html('<span class="not-captured">not captured: {}</span>', value["notCapturedReason"])
    shown = value.get("value")
    text = repr(shown) if isinstance(shown, str) else "None" if shown is None else str(shown)
    return format_html('<span class="value">{}</span>{}', text, _note(value))


def _children(value: dict) -> list[tuple[str, dict]]:
    if isinstance(value.get("fields"), dict):
        return list(value["fields"].items())
    if isinstance(value.get("entries"), list):
        pairs = [pair for pair in value["entries"] if isinstance(pair, list | tuple) and len(pair) == 2]
        return [(_key(key), item) for key, item in pairs]
    if isinstance(value.get("items"), list):
        return [(f"[{i}]", item) for i, item in enumerate(value["items"])]
    return []


def _key(key) -> str:
    if isinstance(key, dict):
        shown = key.get("value", key.get("type", "?"))
        return repr(shown) if isinstance(shown, str) else str(shown)
    return str(key)


def _node(name: str, value, budget: list[int]) -> SafeString:
    budget[0] -= 1
    if budget[0] < 0:
        return mark_safe("")
    if not isinstance(value, dict):
        return format_html('<li><span class="name">{}</span> = <span class="value">{}</span></li>', name, value)
    kind = value.get("type", "")
    children = _children(value)
    has_children = any(k in value for k in ("fields", "entries", "items"))
    if not has_children or value.get("redacted"):
        return format_html('<li><span class="name">{}</span> <span class="type">{}</span> = {}</li>',
                           name, kind, _scalar(value))
    inner = format_html_join("", "{}", ((_node(k, v, budget),) for k, v in children))
    return format_html('<li><details><summary><span class="name">{}</span> <span class="type">{}</span>{}</summary>'
                       '<ul class="captured">{}</ul></details></li>', name, kind, _note(value), inner)


def captured_tree(values: dict | None) -> SafeString:
    """`{name: captured value}` (arguments, locals, an object's fields) as a `<ul>` tree."""
    if not values:
        return format_html('<p class="empty">{}</p>', "none")
    budget = [MAX_NODES]
    return format_html('<ul class="captured">{}</ul>',
                       format_html_join("", "{}", ((_node(str(k), v, budget),) for k, v in values.items())))
