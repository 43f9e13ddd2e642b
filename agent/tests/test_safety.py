"""Safety and budgets: the host never sees a failure, limits hold, the queue never blocks."""
import time

from samples import shapes
from tierline_agent._limits import CpuBudget, RateLimiter
from tierline_agent._sites import Runtime

from conftest import line_of, rel

PLAIN = f"{rel(shapes)}:{line_of(shapes, 'plain')}"


def test_failing_condition_disables_the_probe_and_reports_it(harness):
    probe = harness.probe(kind="log", location=PLAIN, template="x", condition="user.missing > 1")
    assert shapes.plain("abc", "u") == 6  # the host's result is unchanged
    status = harness.status(probe.id)
    assert status["status"] == "error" and "condition failed" in status["message"]
    harness.installer.reap()
    assert shapes.plain.__code__.co_name == "plain"
    assert harness.hits() == []


def test_agent_bug_inside_an_emitter_disables_only_that_probe(harness, monkeypatch):
    broken = harness.probe(kind="snapshot", location=PLAIN)
    healthy = harness.probe(kind="log", location=PLAIN, template="ok")
    import tierline_agent._emitters as emitters

    def explode(*args, **kwargs):
        raise MemoryError("boom")
    monkeypatch.setattr(emitters, "capture_snapshot", explode)
    assert shapes.plain("ab", "u") == 4
    assert shapes.plain("ab", "u") == 4
    assert harness.status(broken.id)["status"] == "error"
    assert "MemoryError" in harness.status(broken.id)["message"]
    assert harness.status(healthy.id)["status"] == "installed"
    assert [h["message"] for h in harness.hits("log")] == ["ok", "ok"]


def test_exceptions_pass_through_probed_functions_unchanged(harness):
    harness.probe(kind="snapshot", location="samples.shapes:raises", rate=None)
    try:
        shapes.raises(7)
    except ValueError as error:
        assert str(error) == "bad 7"
        assert error.__traceback__.tb_next is not None
    else:
        raise AssertionError("the exception was swallowed")


def test_snapshot_rate_defaults_to_one_per_second(harness):
    probe = harness.probe(kind="snapshot", location=PLAIN)
    for _ in range(50):
        shapes.plain("a", "u")
    assert len(harness.hits("snapshot")) == 1
    runner = harness.installer.installed_runners()[0]
    assert runner.rate_limited == 49 and runner.probe.id == probe.id


def test_log_rate_default_is_one_hundred_per_second(harness):
    harness.probe(kind="log", location=PLAIN, template="x")
    for _ in range(500):
        shapes.plain("a", "u")
    assert 100 <= len(harness.hits("log")) <= 110


def test_hit_limit_finishes_the_probe(harness):
    probe = harness.probe(kind="log", location=PLAIN, template="x", max_hits=3, rate=None)
    for _ in range(10):
        shapes.plain("a", "u")
    assert len(harness.hits("log")) == 3
    assert harness.status(probe.id)["status"] == "done"
    assert "hit limit" in harness.status(probe.id)["message"]


def test_expiry_removes_the_probe_and_restores_code(harness):
    original = shapes.plain.__code__
    probe = harness.probe(kind="log", location=PLAIN, template="x", ttl_seconds=60)
    assert shapes.plain.__code__ is not original
    harness.installer.expire(now=time.time() + 61)
    assert harness.status(probe.id)["status"] == "expired"
    assert shapes.plain.__code__ is original


def test_full_queue_drops_oldest_and_counts_without_blocking(harness):
    harness.runtime.queue = __import__("collections").deque(maxlen=5)
    harness.probe(kind="log", location=PLAIN, template="{user}", rate=None)
    for index in range(20):
        shapes.plain("t", str(index))
    assert harness.runtime.dropped == 15
    assert [h["message"] for h in harness.hits("log")] == ["15", "16", "17", "18", "19"]


def test_cpu_budget_throttles_and_recovers():
    clock = [0.0]
    budget = CpuBudget(share=0.02, window=0.0, clock=lambda: clock[0])
    budget.spent = 0.05
    clock[0] = 1.0  # probes took 5% of one CPU second
    assert budget.check() and budget.throttled
    clock[0] = 2.0  # throttled: nothing spent in the next second
    assert budget.check() and not budget.throttled
    assert budget.throttle_windows == 1


def test_cpu_budget_does_not_throttle_an_idle_process_for_a_few_milliseconds():
    budget = CpuBudget(share=0.02, window=0.0, clock=lambda: 0.0)  # the process used no CPU at all
    budget._last_check -= 1.0  # one second of wall time
    budget.spent = 0.001
    budget.check()
    assert not budget.throttled
    budget._last_check -= 1.0
    budget.spent += 0.01  # 10 ms of probes in an idle second is too much
    budget.check()
    assert budget.throttled


def test_throttled_sites_skip_and_count(harness):
    harness.probe(kind="log", location=PLAIN, template="x")
    harness.runtime.budget.throttled = True
    shapes.plain("a", "u")
    shapes.plain("a", "u")
    assert harness.hits() == [] and harness.runtime.budget.skipped == 2
    harness.runtime.budget.throttled = False
    shapes.plain("a", "u")
    assert len(harness.hits()) == 1


def test_budget_measures_time_spent_in_probes(harness):
    harness.probe(kind="snapshot", location=PLAIN, rate=None)
    for _ in range(20):
        shapes.plain("a", "u")
    assert harness.runtime.budget.spent > 0


def test_rate_limiter_refills():
    limiter = RateLimiter(2)
    assert limiter.allow() and limiter.allow() and not limiter.allow()
    limiter.last -= 1.0
    assert limiter.allow()


def test_runtime_enqueue_never_blocks():
    runtime = Runtime(queue_size=10)
    started = time.perf_counter()
    for index in range(100_000):
        runtime.enqueue(index)
    assert time.perf_counter() - started < 2.0
    assert runtime.dropped == 99_990


def test_code_that_cannot_be_instrumented_fails_only_its_probe(harness, monkeypatch):
    import tierline_agent._patcher as patcher_module
    real_inject = patcher_module.inject

    def picky_inject(code, line_hooks, function_hooks=None):
        if code.co_name == "multi":
            raise RuntimeError("unsupported bytecode")
        return real_inject(code, line_hooks, function_hooks)
    monkeypatch.setattr(patcher_module, "inject", picky_inject)
    original = shapes.multi.__code__
    bad = harness.probe(kind="log", location=f"{rel(shapes)}:{line_of(shapes, 'multi')}", template="x")
    good = harness.probe(kind="log", location=PLAIN, template="ok")
    assert harness.status(bad.id)["status"] == "error"
    assert "unsupported bytecode" in harness.status(bad.id)["message"]
    assert harness.status(good.id)["status"] == "installed"
    assert shapes.multi.__code__ is original and shapes.multi(1, 2) == 3
    shapes.plain("a", "u")
    assert [h["message"] for h in harness.hits("log")] == ["ok"]


def test_installing_and_removing_under_concurrent_calls(harness):
    """App threads keep calling while probes come and go: results never change, nothing raises."""
    import threading

    from tierline_agent._probes import parse_probe
    errors, calls = [], [0]
    stop = threading.Event()

    def worker():
        while not stop.is_set():
            try:
                assert shapes.plain("abc", "u") == 6
                assert shapes.factory("a")("b") == "ab"
                calls[0] += 1
            except BaseException as error:  # noqa: BLE001 - any failure is the finding
                errors.append(error)
                return
    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    probes = [parse_probe({"id": "a", "kind": "log", "location": PLAIN, "template": "{user}", "rate": None}),
              parse_probe({"id": "b", "kind": "metric", "location": f"{rel(shapes)}:{line_of(shapes, 'closure')}"}),
              parse_probe({"id": "c", "kind": "snapshot", "location": "samples.shapes:plain"})]
    original = shapes.plain.__code__
    try:
        for round_number in range(40):
            harness.installer.apply(probes if round_number % 2 == 0 else probes[1:2])
            harness.runtime.queue.clear()
        harness.installer.apply([])
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == [] and calls[0] > 0
    assert shapes.plain.__code__ is original
