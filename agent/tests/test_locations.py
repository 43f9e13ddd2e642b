"""Every location kind and code shape: the probe fires, the code still works, removal restores it."""
import asyncio
import importlib
import sys

import pytest
from samples import shapes
from samples.billing import views as billing_views
from samples.shop import views as shop_views

from conftest import line_of, rel


def log_at(harness, module, marker, template="hit", **extra):
    return harness.probe(kind="log", location=f"{rel(module)}:{line_of(module, marker)}", template=template, **extra)


def messages(harness):
    return [h["message"] for h in harness.hits("log")]


def test_plain_function_and_exact_restore(harness):
    original = shapes.plain.__code__
    probe = log_at(harness, shapes, "plain", "len={len(token)} user={user}")
    assert harness.status(probe.id)["status"] == "installed"
    assert shapes.plain.__code__ is not original
    assert shapes.plain("abc", "u1") == 6
    assert messages(harness) == ["len=3 user=u1"]
    harness.remove(probe.id)
    assert shapes.plain.__code__ is original
    shapes.plain("abc", "u1")
    assert messages(harness) == []


@pytest.mark.parametrize("marker,call,expected", [
    ("method", lambda: shapes.Cart([1, 2]).total(1), 2),
    ("static", lambda: shapes.Cart.static(1), 2),
    ("classmethod", lambda: shapes.Cart.klass(2), 6),
    ("nested", lambda: shapes.outer(2), 21),
    ("decorated", lambda: shapes.decorated(5), 4),
    ("multi", lambda: shapes.multi(1, 2), 3),
])
def test_code_shapes(harness, marker, call, expected):
    before = {name: getattr(obj, "__code__", None) for name, obj in vars(shapes).items()}
    probe = log_at(harness, shapes, marker, f"{marker}")
    assert harness.status(probe.id)["status"] == "installed", harness.status(probe.id)
    assert call() == expected
    assert messages(harness) == [marker]
    harness.remove(probe.id)
    assert call() == expected
    assert messages(harness) == []
    after = {name: getattr(obj, "__code__", None) for name, obj in vars(shapes).items()}
    assert all(before[k] is after[k] for k in before)


def test_closure_existing_and_new_closures_get_the_probe(harness):
    existing = shapes.factory("hello ")
    factory_code = shapes.factory.__code__
    probe = log_at(harness, shapes, "closure", "{prefix}{name}")
    made_later = shapes.factory("bye ")
    assert existing("ann") == "hello ann"
    assert made_later("bob") == "bye bob"
    assert messages(harness) == ["hello ann", "bye bob"]
    harness.remove(probe.id)
    assert shapes.factory.__code__ is factory_code
    assert existing.__code__ is made_later.__code__ is factory_code.co_consts[1]
    shapes.factory("x ")("y")
    assert messages(harness) == []


def test_generator_and_first_line_of_for_loop(harness):
    for_probe = log_at(harness, shapes, "for", "for")
    gen_probe = log_at(harness, shapes, "gen", "i={i}")
    assert list(shapes.gen(3)) == [0, 2, 4]
    found = messages(harness)
    # the `for` line is entered once per iteration plus the final exhausted check, like settrace
    assert found.count("for") == 4
    assert [m for m in found if m != "for"] == ["i=0", "i=1", "i=2"]
    harness.remove(for_probe.id)
    harness.remove(gen_probe.id)


def test_coroutine_line(harness):
    log_at(harness, shapes, "coro", "x={x}")
    assert asyncio.run(shapes.coro(1)) == 101
    assert messages(harness) == ["x=1"]


def test_async_generator_line(harness):
    log_at(harness, shapes, "agen", "i={i}")

    async def consume():
        return [i async for i in shapes.agen(2)]
    assert asyncio.run(consume()) == [0, 1]
    assert messages(harness) == ["i=0", "i=1"]


def test_finally_block_fires_on_both_paths(harness):
    log_at(harness, shapes, "finally", "y={y}")
    assert shapes.with_finally(2) == 6
    assert shapes.with_finally(0) == 0
    assert messages(harness) == ["y=5", "y=-1"]


def test_bare_try_line(harness):
    log_at(harness, shapes, "try", "try x={x}")
    shapes.with_finally(5)
    assert messages(harness) == ["try x=5"]


def test_several_probes_on_one_line(harness):
    a = log_at(harness, shapes, "plain", "first")
    b = log_at(harness, shapes, "plain", "second")
    c = harness.probe(kind="metric", location=f"{rel(shapes)}:{line_of(shapes, 'plain')}", metric_type="count")
    shapes.plain("t", "u")
    assert messages(harness) == ["first", "second"]
    harness.remove(a.id)
    shapes.plain("t", "u")
    assert messages(harness) == ["second"]
    points = harness.runtime.metrics.flush()
    assert points[0]["count"] == 2 and points[0]["probe_id"] == c.id
    harness.remove(b.id)
    harness.remove(c.id)
    assert shapes.plain.__code__.co_consts == tuple(shapes.plain.__code__.co_consts)


def test_same_file_name_in_two_packages(harness):
    shop = harness.probe(kind="log", location=f"shop/views.py:{line_of(shop_views, 'shop')}", template="shop")
    billing = harness.probe(kind="log", location=f"billing/views.py:{line_of(billing_views, 'billing')}",
                            template="billing")
    assert shop_views.checkout(1) == 2 and billing_views.checkout(1) == 3
    assert messages(harness) == ["shop", "billing"]
    ambiguous = harness.probe(kind="log", location=f"views.py:{line_of(shop_views, 'shop')}", template="x")
    status = harness.status(ambiguous.id)
    assert status["status"] == "error" and "ambiguous" in status["message"]
    harness.remove(shop.id)
    harness.remove(billing.id)


def test_line_without_code_is_rejected_with_nearest_lines(harness):
    line = line_of(shapes, "after_blank") - 1  # the comment line
    probe = harness.probe(kind="log", location=f"{rel(shapes)}:{line}", template="x")
    status = harness.status(probe.id)
    assert status["status"] == "error"
    assert f"{line - 2}, {line + 1}" in status["message"]
    assert str(line + 1) in status["message"]


def test_function_location_entry_exit_return_and_duration(harness):
    original = shapes.Cart.total.__code__
    probe = harness.probe(kind="snapshot", location="samples.shapes:Cart.total")
    assert shapes.Cart([3, 4]).total(2) == 5
    [hit] = harness.hits("snapshot")
    snapshot = hit["snapshot"]
    assert snapshot["return"] == {"type": "int", "value": 5}
    assert snapshot["arguments"]["discount"] == {"type": "int", "value": 2}
    assert snapshot["duration_ms"] >= 0
    harness.remove(probe.id)
    assert shapes.Cart.total.__code__ is original


def test_function_location_exception(harness):
    harness.probe(kind="log", location="samples.shapes:raises", template="failed: {type(_exception)} {_duration >= 0}")
    with pytest.raises(ValueError, match="bad 3"):
        shapes.raises(3)
    assert shapes.raises(0) == 0
    assert messages(harness) == ["failed: ValueError True", "failed: NoneType True"]


def test_function_probe_on_nested_static_and_decorated(harness):
    harness.probe(kind="metric", metric_type="count", location="samples.shapes:outer.inner")
    harness.probe(kind="metric", metric_type="count", location="samples.shapes:Cart.static")
    harness.probe(kind="metric", metric_type="count", location="samples.shapes:Cart.klass")
    harness.probe(kind="metric", metric_type="duration", location="samples.shapes:decorated")
    shapes.outer(1)
    shapes.Cart.static(1)
    shapes.Cart.klass(1)
    shapes.decorated(1)
    points = {p["probe_id"]: p for p in harness.runtime.metrics.flush()}
    assert {p["count"] for p in points.values()} == {1}
    assert len(points) == 4


def test_generator_close_and_coroutine_cancellation_reach_exit(harness):
    harness.probe(kind="log", location="samples.shapes:gen", template="{type(_exception)}")
    harness.probe(kind="log", location="samples.shapes:slow", template="{type(_exception)}")
    iterator = shapes.gen(5)
    next(iterator)
    iterator.close()

    async def cancel():
        task = asyncio.ensure_future(shapes.slow(1))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    asyncio.run(cancel())
    assert messages(harness) == ["GeneratorExit", "asyncio.exceptions.CancelledError"]


def test_async_generator_function_probe(harness):
    harness.probe(kind="log", location="samples.shapes:agen", template="done {_return}")

    async def consume():
        return [i async for i in shapes.agen(2)]
    assert asyncio.run(consume()) == [0, 1]
    assert messages(harness) == ["done None"]


def test_module_not_imported_waits_then_installs(harness):
    sys.modules.pop("samples.late", None)
    probe = harness.probe(kind="log", location="samples/late.py:2", template="late {x}")
    assert harness.status(probe.id)["status"] == "waiting"
    from tierline_agent._imports import ImportWatcher
    watcher = ImportWatcher(harness.installer.has_waiting, harness.installer.on_module_loaded)
    watcher.install()
    try:
        late = importlib.import_module("samples.late")
    finally:
        watcher.uninstall()
    assert harness.status(probe.id)["status"] == "installed"
    assert late.later(1) == 6
    assert messages(harness) == ["late 1"]
    # the module keeps its real loader (code checks `isinstance(__loader__, SourceFileLoader)`)
    assert type(late.__loader__).__name__ == "SourceFileLoader"
    assert type(late.__spec__.loader).__name__ == "SourceFileLoader"


def test_function_probe_waits_for_module(harness):
    sys.modules.pop("samples.late", None)
    probe = harness.probe(kind="metric", metric_type="count", location="samples.late:later")
    assert harness.status(probe.id)["status"] == "waiting"
    importlib.import_module("samples.late")
    harness.installer.on_module_loaded(sys.modules["samples.late"])
    assert harness.status(probe.id)["status"] == "installed"


def test_unknown_function_is_an_error(harness):
    probe = harness.probe(kind="log", location="samples.shapes:nope", template="x")
    assert harness.status(probe.id)["status"] == "error"
    assert "no function nope" in harness.status(probe.id)["message"]


def test_main_script_code_is_patched_before_it_runs(harness, tmp_path):
    script = tmp_path / "app.py"
    script.write_text("def handler(x):\n    y = x * 2\n    return y\n\nresult = handler(21)\n")
    probe = harness.probe(kind="log", location="app.py:2", template="y from {x}")
    assert harness.status(probe.id)["status"] == "waiting"
    code = compile(script.read_text(), str(script), "exec")
    patched = harness.installer.prepare_main(code, str(script))
    namespace = {"__name__": "__main__"}
    exec(patched, namespace)
    assert namespace["result"] == 42
    assert messages(harness) == ["y from 21"]
    harness.remove(probe.id)
    assert namespace["handler"].__code__ is code.co_consts[0]


def test_conditions_on_arguments_do_not_touch_the_frame(harness):
    probe = log_at(harness, shapes, "plain", "x", condition="len(token) > 100 and user == 'a'")
    installed = harness.installer._installed[probe.id]
    site = installed.node.line_sites[installed.line]
    assert site.passed_names == ("token", "user") and site.needs_frame is False
    shapes.plain("abc", "a")
    assert messages(harness) == []


def test_import_while_the_installer_is_busy_never_waits(harness, tmp_path, monkeypatch):
    import threading
    import time as time_module
    (tmp_path / "busy_late.py").write_text("def later(x):\n    return x + 5\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    probe = harness.probe(kind="log", location="busy_late.py:2", template="late {x}")
    assert harness.status(probe.id)["status"] == "waiting"
    held, release = threading.Event(), threading.Event()

    def hold_lock():
        with harness.installer._lock:
            held.set()
            release.wait(5)
    holder = threading.Thread(target=hold_lock)
    holder.start()
    held.wait(5)
    try:
        started = time_module.perf_counter()
        late = importlib.import_module("busy_late")
        harness.installer.on_module_loaded(late)
        assert time_module.perf_counter() - started < 0.5
        assert harness.status(probe.id)["status"] == "waiting"
    finally:
        release.set()
        holder.join()
    harness.installer.reap()
    assert harness.status(probe.id)["status"] == "installed"


def test_async_generator_closed_early_reports_generator_exit(harness):
    harness.probe(kind="log", location="samples.shapes:agen", template="{type(_exception)}")

    async def take_one():
        iterator = shapes.agen(5)
        first = await iterator.__anext__()
        await iterator.aclose()
        return first
    assert asyncio.run(take_one()) == 0
    assert messages(harness) == ["GeneratorExit"]


def test_probe_already_expired_is_not_installed(harness):
    original = shapes.plain.__code__
    probe = log_at(harness, shapes, "plain", "x", expires_at=1.0)
    assert harness.status(probe.id)["status"] == "expired"
    assert shapes.plain.__code__ is original


def test_def_line_of_a_decorated_function_is_its_entry(harness):
    log_at(harness, shapes, "decorated_def", "entered with {x}")
    assert shapes.decorated(5) == 4
    assert messages(harness) == ["entered with 5"]
