"""Talking to the server: registration, probe set changes within a second, status, hits, and a
server that is down, slow or answering garbage changing nothing for the application."""
import threading
import time

import pytest
from samples import shapes
from stub_server import StubServer
from tierline_agent._agent import Agent
from tierline_agent._config import Config
from tierline_agent._transport import HttpTransport, InMemoryTransport, TransportError

from conftest import line_of, rel, wait_for

PLAIN = f"{rel(shapes)}:{line_of(shapes, 'plain')}"


class FaultyTransport:
    """Wraps an in-memory server; `mode` is ok, down, slow or garbage."""

    def __init__(self, inner, mode="ok", delay=1.0):
        self.inner, self.mode, self.delay = inner, mode, delay
        self.calls = 0

    def _fault(self):
        self.calls += 1
        if self.mode == "down":
            raise TransportError("connection refused")
        if self.mode == "slow":
            time.sleep(self.delay)

    def register(self, info):
        self._fault()
        return {"instance_id": 42} if self.mode == "garbage" else self.inner.register(info)

    def poll_probes(self, instance_id, version, wait):
        self._fault()
        if self.mode == "garbage":
            time.sleep(0.05)
            return {"version": "seven", "probes": "all of them"}
        return self.inner.poll_probes(instance_id, version, min(wait, 0.2))

    def send_status(self, payload):
        self._fault()
        self.inner.send_status(payload)

    def send_hits(self, payload):
        self._fault()
        self.inner.send_hits(payload)


def make_agent(transport, **settings):
    settings = {"flush_interval": 0.05, "poll_wait": 1.0, **settings}
    return Agent(Config.load(environ={}, service="portal", tags={"env": "test"}, **settings), transport).start()


def test_registration_describes_the_instance(memory_agent):
    agent, transport = memory_agent
    assert wait_for(lambda: transport.registrations)
    info = transport.registrations[0]
    assert info["service"] == "portal" and info["tags"] == {"env": "test"}
    assert info["python"].startswith("3.11") and info["os"] and info["host"]
    assert "bytecode" in {name.lower() for name in info["packages"]}
    assert info["instance_id"] == agent.instance_id


def test_probe_changes_apply_within_a_second_and_hits_arrive(memory_agent):
    agent, transport = memory_agent
    original = shapes.plain.__code__
    assert wait_for(agent.first_sync.is_set)
    started = time.monotonic()
    transport.set_probes([{"id": "p1", "kind": "log", "location": PLAIN, "template": "len {len(token)}"}])
    assert wait_for(lambda: (transport.latest_status("p1") or {}).get("status") == "installed", 1.0)
    assert time.monotonic() - started < 1.0
    shapes.plain("abcd", "u")
    assert wait_for(lambda: transport.hits("log"))
    assert transport.hits("log")[0]["message"] == "len 4"
    transport.set_probes([])
    assert wait_for(lambda: shapes.plain.__code__ is original, 1.0)


def test_bad_probe_definition_is_reported_as_error(memory_agent):
    agent, transport = memory_agent
    transport.set_probes([{"id": "bad", "kind": "log", "location": PLAIN, "template": "{x.__class__}"}])
    assert wait_for(lambda: transport.latest_status("bad"))
    status = transport.latest_status("bad")
    assert status["status"] == "error" and "dunder" in status["message"] and "column" in status["message"]


def test_status_reports_waiting_for_import(memory_agent):
    agent, transport = memory_agent
    transport.set_probes([{"id": "w", "kind": "log", "location": "not_imported_pkg.mod:handler", "template": "x"}])
    assert wait_for(lambda: (transport.latest_status("w") or {}).get("status") == "waiting")


def test_metrics_are_flushed_periodically(memory_agent):
    agent, transport = memory_agent
    agent.config.metric_interval = 0.1
    transport.set_probes([{"id": "m", "kind": "metric", "location": PLAIN, "metric_type": "count"}])
    assert wait_for(lambda: (transport.latest_status("m") or {}).get("status") == "installed")
    for _ in range(5):
        shapes.plain("a", "u")
    assert wait_for(lambda: sum(h["count"] for h in transport.hits("metric")) == 5)


def hammer(seconds=0.3):
    """Call the probed function as fast as possible; return calls and the slowest call."""
    calls, slowest = 0, 0.0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        shapes.plain("a", "u")
        slowest = max(slowest, time.perf_counter() - started)
        calls += 1
    return calls, slowest


def test_server_down_from_the_start_changes_nothing():
    agent = make_agent(FaultyTransport(InMemoryTransport(), mode="down"))
    try:
        assert wait_for(lambda: agent.poller.backoff.delay > 0)
        assert shapes.plain("abc", "u") == 6
        assert agent.last_error == "connection refused"
    finally:
        agent.stop()
    assert not agent.poller.is_alive()


def test_unreachable_server_with_a_hot_log_probe_drops_oldest_and_never_blocks():
    inner = InMemoryTransport()
    faulty = FaultyTransport(inner)
    agent = make_agent(faulty, queue_size=1000)
    try:
        inner.set_probes([{"id": "hot", "kind": "log", "location": PLAIN, "template": "{user}", "rate": None}])
        assert wait_for(lambda: (inner.latest_status("hot") or {}).get("status") == "installed")
        faulty.mode = "down"
        calls, slowest = hammer()
        assert calls > 5000
        assert slowest < 0.25  # no call waited on the network (a blocked call would take seconds)
        assert len(agent.runtime.queue) <= 1000 and agent.runtime.dropped > 0
        faulty.mode = "ok"
        agent.uploader.backoff.succeeded()
        assert wait_for(lambda: any(b["dropped_total"] > 0 for b in inner.hit_batches), 10)
    finally:
        agent.stop()


def test_slow_server_does_not_slow_the_application():
    inner = InMemoryTransport()
    faulty = FaultyTransport(inner)
    agent = make_agent(faulty)
    try:
        inner.set_probes([{"id": "s", "kind": "log", "location": PLAIN, "template": "{user}", "rate": None}])
        assert wait_for(lambda: (inner.latest_status("s") or {}).get("status") == "installed")
        faulty.mode = "slow"
        time.sleep(0.1)  # the uploader is now stuck in a 1 s send
        calls, slowest = hammer(0.2)
        assert calls > 2000 and slowest < 0.25
    finally:
        faulty.mode = "ok"
        agent.stop()


def test_garbage_answers_are_survived():
    inner = InMemoryTransport()
    faulty = FaultyTransport(inner, mode="garbage")
    agent = make_agent(faulty)
    try:
        assert wait_for(lambda: "malformed" in agent.last_error)
        assert shapes.plain("abc", "u") == 6
        faulty.mode = "ok"
        agent.poller.backoff.succeeded()
        inner.set_probes([{"id": "g", "kind": "metric", "location": PLAIN}])
        assert wait_for(lambda: (inner.latest_status("g") or {}).get("status") == "installed", 10)
    finally:
        agent.stop()


def test_http_transport_speaks_the_documented_protocol():
    probe = {"id": "h1", "kind": "log", "location": PLAIN, "template": "via http"}
    with StubServer(probes=[probe]) as stub:
        agent = make_agent(HttpTransport(stub.url, "secret-token"))
        try:
            assert wait_for(lambda: stub.bodies("/api/v1/agents/status"))
            shapes.plain("a", "u")
            assert wait_for(lambda: stub.bodies("/api/v1/agents/hits"))
        finally:
            agent.stop()
    methods = {(m, p) for m, p, _, _ in stub.requests}
    assert ("POST", "/api/v1/agents/register") in methods and ("GET", "/api/v1/agents/probes") in methods
    assert all(r[3]["Authorization"] == "Bearer secret-token" for r in stub.requests)
    poll = next(r for r in stub.requests if r[1] == "/api/v1/agents/probes")
    assert set(poll[2]) == {"instance_id", "version", "wait"}
    [hit] = [h for body in stub.bodies("/api/v1/agents/hits") for h in body["hits"]]
    assert hit["message"] == "via http" and hit["probe_id"] == "h1"
    statuses = [s for body in stub.bodies("/api/v1/agents/status") for s in body["probes"]]
    assert {"id": "h1", "status": "installed"}.items() <= statuses[-1].items()


def test_http_transport_turns_garbage_and_refusal_into_transport_errors():
    with StubServer(garbage=True) as stub:
        transport = HttpTransport(stub.url, "t", timeout=2)
        with pytest.raises(TransportError):
            transport.register({"instance_id": "x"})
        with pytest.raises(TransportError):
            transport.poll_probes("x", 0, 0)
    with pytest.raises(TransportError):
        HttpTransport(stub.url, "t", timeout=1).send_hits({"hits": []})


def test_threads_are_daemons():
    agent = make_agent(InMemoryTransport())
    try:
        assert all(t.daemon for t in threading.enumerate() if t.name.startswith("tierline-agent"))
    finally:
        agent.stop()


def test_throttling_is_reported_in_the_status(memory_agent):
    agent, transport = memory_agent
    transport.set_probes([{"id": "t", "kind": "log", "location": PLAIN, "template": "x"}])
    assert wait_for(lambda: (transport.latest_status("t") or {}).get("status") == "installed")
    agent.runtime.budget.throttled = True
    shapes.plain("a", "u")
    payload = agent.status_payload()
    assert payload["throttled"] is True and payload["throttled_hits"] == 1
    [entry] = payload["probes"]
    assert entry["message"].startswith("throttled: probes used more than 2%")
    agent.runtime.budget.throttled = False


def test_probe_for_a_module_imported_later_installs_on_import(memory_agent, tmp_path, monkeypatch):
    agent, transport = memory_agent
    (tmp_path / "imported_later.py").write_text("def handle(order):\n    total = order * 2\n    return total\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    transport.set_probes([{"id": "later", "kind": "log", "location": "imported_later.py:2", "template": "o={order}"}])
    assert wait_for(lambda: (transport.latest_status("later") or {}).get("status") == "waiting")
    import importlib
    module = importlib.import_module("imported_later")
    assert agent.installer.statuses["later"]["status"] == "installed"  # before the first call
    assert module.handle(4) == 8
    assert wait_for(lambda: [h["message"] for h in transport.hits("log")] == ["o=4"])


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_forked_worker_registers_as_a_new_instance():
    import os
    with StubServer() as stub:
        agent = make_agent(HttpTransport(stub.url, "tok"))
        try:
            assert wait_for(agent.registered.is_set)
            parent_id = agent.instance_id
            pid = os.fork()
            if pid == 0:  # the child: its own threads must register it
                ok = agent.registered.wait(10) and agent.instance_id != parent_id and agent.poller.is_alive()
                os._exit(0 if ok else 1)
            _, status = os.waitpid(pid, 0)
            assert os.waitstatus_to_exitcode(status) == 0
        finally:
            agent.stop()
    ids = [body["instance_id"] for body in stub.bodies("/api/v1/agents/register")]
    assert len(set(ids)) == 2


def test_agent_registers_again_when_the_server_forgot_it():
    with StubServer() as stub:
        agent = make_agent(HttpTransport(stub.url, "tok"), poll_wait=0.2)
        try:
            assert wait_for(lambda: len(stub.bodies("/api/v1/agents/register")) == 1)
            stub.forget_instances = True
            agent.poller.backoff.first = 0.05
            assert wait_for(lambda: len(stub.bodies("/api/v1/agents/register")) == 2, 10)
        finally:
            agent.stop()


def test_a_batch_the_server_rejects_is_dropped_and_counted():
    inner = InMemoryTransport()

    class Rejecting(FaultyTransport):
        def send_hits(self, payload):
            raise TransportError("HTTP 413 from /hits", 413)

    agent = make_agent(Rejecting(inner))
    try:
        inner.set_probes([{"id": "r", "kind": "log", "location": PLAIN, "template": "{user}", "rate": None}])
        assert wait_for(lambda: (inner.latest_status("r") or {}).get("status") == "installed")
        for _ in range(3):
            shapes.plain("a", "u")
        assert wait_for(lambda: agent.runtime.dropped == 3)
        assert "rejected" in agent.last_error
    finally:
        agent.stop()


def test_malformed_probe_entries_do_not_hold_back_the_others(memory_agent):
    agent, transport = memory_agent
    transport.set_probes(["not an object", {"id": "x", "kind": "log", "location": PLAIN, "capture": 5,
                                            "template": "ok", "max_hits": "many"},
                          {"id": "good", "kind": "metric", "location": PLAIN}])
    assert wait_for(lambda: (transport.latest_status("good") or {}).get("status") == "installed")
    assert transport.latest_status("x")["status"] == "error"


def test_probes_on_code_the_agent_itself_runs_do_not_feed_back():
    import urllib.parse
    probe = {"id": "enc", "kind": "metric", "location": "urllib.parse:urlencode"}  # the poller uses it
    with StubServer(probes=[probe]) as stub:
        agent = make_agent(HttpTransport(stub.url, "tok"), poll_wait=0)
        try:
            assert wait_for(lambda: agent.installer.statuses.get("enc", {}).get("status") == "installed")
            polls = len(stub.bodies("/api/v1/agents/probes"))
            assert wait_for(lambda: len(stub.bodies("/api/v1/agents/probes")) >= polls + 2)
            urllib.parse.urlencode({"a": 1})  # the application's own call counts; the agent's do not
            agent.flush()
        finally:
            agent.stop()
    metrics = [h for body in stub.bodies("/api/v1/agents/hits") for h in body["hits"] if h["kind"] == "metric"]
    assert sum(h["count"] for h in metrics) == 1


def test_backoff_doubles_up_to_a_limit_with_jitter_and_resets():
    from tierline_agent._worker import Backoff
    backoff = Backoff(first=0.5, limit=4.0)
    delays = [backoff.failed() for _ in range(6)]
    assert [backoff.delay] == [4.0]
    assert 0.4 <= delays[0] <= 0.6 and 0.8 <= delays[1] <= 1.2 and all(d <= 4.8 for d in delays)
    backoff.succeeded()
    assert 0.4 <= backoff.failed() <= 0.6
