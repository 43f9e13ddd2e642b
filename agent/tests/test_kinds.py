"""Every probe kind: log, snapshot (within limits), metric, log level."""
import logging

import pytest
from samples import shapes
from test_expressions import Hostile
from tierline_agent._context import context

from conftest import line_of, rel

PLAIN = f"{rel(shapes)}:{line_of(shapes, 'plain')}"


def test_log_probe_message_and_context(harness):
    harness.probe(kind="log", location=PLAIN, template="token length {len(token)} for {user}")
    with context(user="u-1", organization="acme"):
        shapes.plain("x" * 12, "ann")
    [hit] = harness.hits("log")
    assert hit["message"] == "token length 12 for ann"
    assert hit["context"] == {"user": "u-1", "organization": "acme"}
    assert hit["location"] == PLAIN
    assert hit["thread"] == "MainThread"


def test_log_probe_condition_scopes_to_one_organization(harness):
    harness.probe(kind="log", location=PLAIN, template="hit", condition="len(token) > 3 and ctx.organization == 'acme'")
    shapes.plain("long token", "a")
    with context(organization="other"):
        shapes.plain("long token", "a")
    with context(organization="acme"):
        shapes.plain("ab", "a")
        shapes.plain("long token", "a")
    assert len(harness.hits("log")) == 1


def test_log_values_are_rendered_without_repr(harness):
    harness.probe(kind="log", location=PLAIN, template="user={user}")
    shapes.plain("t", Hostile())
    [hit] = harness.hits("log")
    assert hit["message"].startswith("user=test_expressions.Hostile(plain=1")


def test_snapshot_arguments_locals_stack_and_limits(harness):
    line = line_of(shapes, "method")
    harness.probe(kind="snapshot", location=f"{rel(shapes)}:{line + 1}",
                  capture={"max_items": 2, "max_length": 5, "max_depth": 2})
    cart = shapes.Cart(list(range(10)))
    cart.note = "a long note here"
    assert cart.total(1) == 44
    [hit] = harness.hits("snapshot")
    snapshot = hit["snapshot"]
    assert snapshot["arguments"]["discount"] == {"type": "int", "value": 1}
    fields = snapshot["arguments"]["self"]["fields"]
    assert fields["items"]["size"] == 10 and len(fields["items"]["items"]) == 2 and fields["items"]["truncated"]
    assert fields["note"] == {"type": "str", "value": "a lon", "truncated": True, "size": 16}
    assert snapshot["locals"]["amount"] == {"type": "int", "value": 45}
    top = snapshot["stack"][0]
    assert top["function"] == "Cart.total" and top["line"] == line + 1
    assert "locals" in snapshot["stack"][1]  # the caller's locals are captured too


def test_snapshot_depth_limit_and_hostile_objects(harness):
    harness.probe(kind="snapshot", location=PLAIN)
    nested = {"a": {"b": {"c": {"d": 1}}}}
    shapes.plain("t", [Hostile(), nested])
    [hit] = harness.hits("snapshot")
    user = hit["snapshot"]["arguments"]["user"]
    hostile, captured_nested = user["items"]
    assert hostile["type"] == "test_expressions.Hostile"
    assert hostile["fields"]["plain"] == {"type": "int", "value": 1}
    depth_two = captured_nested["entries"][0][1]
    assert depth_two["entries"][0][1] == {"type": "dict", "notCapturedReason": "depth"}


def test_snapshot_redacts_sensitive_names_and_values(harness):
    harness.probe(kind="snapshot", location=PLAIN)
    shapes.plain("sk_live_abcdef", {"password": "hunter2", "note": "card 4111 1111 1111 1111", "ok": "fine"})
    [hit] = harness.hits("snapshot")
    args = hit["snapshot"]["arguments"]
    assert args["token"] == {"type": "str", "redacted": True, "size": 14}
    entries = {k["value"]: v for k, v in args["user"]["entries"]}
    assert entries["password"] == {"type": "str", "redacted": True, "size": 7}
    assert entries["note"]["value"] == "card [REDACTED]"
    assert entries["ok"]["value"] == "fine"
    assert "hunter2" not in repr(hit) and "sk_live" not in repr(hit)


def test_log_redacts_sensitive_expressions_but_len_works(harness):
    harness.probe(kind="log", location=PLAIN, template="{token} has {len(token)} chars, auth {user}")
    shapes.plain("s3cr3t-value", "Bearer abcdefghijklmnop")
    [hit] = harness.hits("log")
    assert hit["message"] == "[REDACTED] has 12 chars, auth Bearer [REDACTED]"


@pytest.mark.parametrize("metric_type,value,expected", [
    ("count", None, {"count": 3}),
    ("count", "len(token)", {"count": 3, "sum": 6.0}),
    ("gauge", "len(token)", {"count": 3, "value": 3}),
    ("histogram", "len(token)", {"count": 3, "sum": 6.0, "min": 1, "max": 3}),
])
def test_metric_probes_aggregate(harness, metric_type, value, expected):
    harness.probe(kind="metric", location=PLAIN, metric_type=metric_type, value=value, metric_name="tokens")
    for token in ("a", "ab", "abc"):
        shapes.plain(token, "u")
    [point] = harness.runtime.metrics.flush()
    assert point["name"] == "tokens" and point["metric_type"] == metric_type
    assert {k: point[k] for k in expected} == expected
    assert harness.runtime.metrics.flush() == []


def test_duration_metric_on_a_function(harness):
    harness.probe(kind="metric", location="samples.shapes:plain", metric_type="duration")
    shapes.plain("a", "u")
    shapes.plain("b", "u")
    [point] = harness.runtime.metrics.flush()
    assert point["metric_type"] == "duration"
    assert point["count"] == 2 and point["max"] >= point["min"] >= 0
    assert sum(n for _, n in point["buckets"]) == 2


class Loud:
    """Its text would run application code; logging's own LogRecord needs nothing else from it."""

    def __init__(self):
        self.plain = 1

    def __str__(self):
        raise RuntimeError("__str__ ran")

    __repr__ = __str__


def test_log_level_probe_ships_debug_records_for_one_customer_only(harness):
    logger = logging.getLogger("samples.checkout")
    logger.setLevel(logging.WARNING)
    child = logging.getLogger("samples.checkout.payment")
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        probe = harness.probe(kind="log_level", logger="samples.checkout", condition="ctx.organization == 'acme'")
        assert harness.status(probe.id)["status"] == "installed"
        logger.debug("not for acme")
        with context(organization="acme"):
            logger.debug("cart %s", 42)
            logger.debug("user %s", Loud())  # rendered safely, its __str__ never runs
            child.info("payment step")
            logger.warning("always shown")
        shipped = harness.hits("log_record")
        assert [h["record"]["message"] for h in shipped][::2] == ["cart 42", "payment step"]
        assert shipped[1]["record"]["message"] == "user test_kinds.Loud(plain=1)"
        assert [r.getMessage() for r in records] == ["always shown"]  # app handlers see no extra output
        harness.remove(probe.id)
        assert logger.level == logging.WARNING and not logger.filters
        with context(organization="acme"):
            logger.debug("after")
        assert harness.hits("log_record") == []
    finally:
        logger.removeHandler(handler)


def test_names_passed_by_value_and_through_the_frame_agree(harness):
    """Arguments go by value from the injected code; deleted or captured ones through the frame."""
    harness.probe(kind="log", location=f"{rel(shapes)}:{line_of(shapes, 'deleted')}", template="{token}/{len(user)}")
    harness.probe(kind="log", location=f"{rel(shapes)}:{line_of(shapes, 'captured')}", template="limit {limit}")
    assert shapes.deleted_argument("t", "uu") == "replaceduu"
    assert shapes.captured_argument(5) is True
    messages = [h["message"] for h in harness.hits("log")]
    assert messages[1] == "limit 5"
    assert messages[0].endswith("/2")  # `token` is a sensitive name: redacted, but it was read


def test_log_level_probe_for_every_logger(harness):
    logger = logging.getLogger("samples.anything")
    logger.setLevel(logging.NOTSET)
    root_level = logging.getLogger().level
    probe = harness.probe(kind="log_level", logger="", rate=None)
    logger.debug("from anywhere")
    assert [h["record"]["message"] for h in harness.hits("log_record")] == ["from anywhere"]
    harness.remove(probe.id)
    assert logging.getLogger().level == root_level


def test_snapshot_of_a_function_that_raises(harness):
    harness.probe(kind="snapshot", location="samples.shapes:raises")
    with pytest.raises(ValueError):
        shapes.raises(2)
    [hit] = harness.hits("snapshot")
    assert hit["snapshot"]["exception"]["type"] == "ValueError"
    assert hit["snapshot"]["exception"]["args"]["items"][0]["value"] == "bad 2"
    assert "return" not in hit["snapshot"]


def test_metric_value_that_is_not_a_number_disables_the_probe(harness):
    probe = harness.probe(kind="metric", location=PLAIN, metric_type="gauge", value="user")
    assert shapes.plain("a", "not a number") == 2
    assert harness.status(probe.id)["status"] == "error"


def test_capture_limits_are_configurable(harness):
    class Wide:
        def __init__(self):
            for index in range(30):
                setattr(self, f"f{index}", index)

    harness.probe(kind="snapshot", location=PLAIN, capture={"max_fields": 5, "max_frames": 2, "frames_with_locals": 1})
    shapes.plain("t", Wide())
    [hit] = harness.hits("snapshot")
    user = hit["snapshot"]["arguments"]["user"]
    assert len(user["fields"]) == 5 and user["truncated"] is True
    stack = hit["snapshot"]["stack"]
    assert len(stack) == 2 and all("locals" not in frame for frame in stack)


def test_the_agent_cannot_probe_itself(harness):
    probe = harness.probe(kind="log", location="tierline_agent/_sites.py:10", template="x")
    assert harness.status(probe.id)["status"] == "error"
    assert "itself" in harness.status(probe.id)["message"]


@pytest.mark.parametrize("data,message", [
    ({"kind": "log_level", "condition": "user == 'x'"}, "only use ctx"),
    ({"kind": "log", "location": "a/b.py:3", "template": "{_return}"}, "function location"),
    ({"kind": "log", "location": "a/b.py:3", "template": "{x.__class__}"}, "column 4"),
    ({"kind": "metric", "location": "a/b.py:3", "metric_type": "gauge"}, "needs a value"),
    ({"kind": "metric", "location": "a/b.py:3", "metric_type": "duration"}, "function location"),
    ({"kind": "log", "location": "a/b.txt:3", "template": "x"}, ".py"),
    ({"kind": "teleport", "location": "a/b.py:3"}, "kind must be"),
])
def test_bad_probe_definitions_are_refused_up_front(data, message):
    from tierline_agent._probes import ProbeError, parse_probe
    with pytest.raises(ProbeError, match=message):
        parse_probe(dict(data, id="bad"))


def test_snapshot_hits_are_strict_json(harness):
    import json
    harness.probe(kind="snapshot", location=PLAIN)
    shapes.plain("t", {"ratio": float("nan"), "limit": float("inf"), "raw": b"\xff\x00"})
    [hit] = harness.hits("snapshot")
    text = json.dumps(hit, allow_nan=False)
    assert "'nan'" in text.replace('"', "'")
