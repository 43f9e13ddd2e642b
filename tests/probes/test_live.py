"""Live debugging against real `tierline run` processes: the real agent installs a probe created
through the API and its hits arrive (only the issue's customer's); a probe created through one web
process reaches an agent held on another at once (SQLite: the periodic check; PostgreSQL with
Redis: pub/sub, in test_two_processes.py)."""

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.test_processes import Server, clean_env, cli, request, wait_for

pytestmark = pytest.mark.e2e
SAMPLE = Path(__file__).parent / "samples" / "liveapp.py"


def get(url, token):
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"}),
                                timeout=30) as response:
        return response.status, (json.loads(response.read()) if response.status != 204 else None)


def setup_desk(env, base) -> dict:
    cli(env, "user", "create", "erin@tierline.example", "--role", "admin", "--password", "a-long-password")
    token = cli(env, "token", "create", "erin@tierline.example", "--scope", "admin").strip()
    agent_token = cli(env, "agent-token", "create", "--service", "portal").strip()
    _, body = request(f"{base}/api/v1/organizations", token, {"name": "Acme Robotics"})
    organization = json.loads(body)
    _, body = request(f"{base}/api/v1/issues", token, {"title": "431 on login", "organization_id": organization["id"]})
    return {"token": token, "agent_token": agent_token, "issue": json.loads(body)["key"],
            "organization": organization["id"]}


def probe_line() -> int:
    return next(n for n, line in enumerate(SAMPLE.read_text().splitlines(), 1) if "PROBE_LINE" in line)


def test_the_real_agent_installs_a_probe_and_sends_hits_of_the_issues_customer_only(tmp_path):
    env = clean_env(tmp_path, TIERLINE_PLAIN_HTTP="1")
    server = Server(env, "--no-demo")
    app = None
    try:
        desk = setup_desk(env, server.base)
        app = subprocess.Popen([sys.executable, str(SAMPLE), server.base, desk["agent_token"]], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        services = f"{server.base}/api/v1/agents/services"
        wait_for(lambda: get(services, desk["token"])[1], 30, "the agent's registration")
        instance = get(services, desk["token"])[1][0]["instances"][0]
        assert instance["organization"] == "acme-robotics" and instance["is_live"]

        _, body = request(f"{server.base}/api/v1/issues/{desk['issue']}/probes", desk["token"], {
            "service": "portal", "kind": "log", "location": f"samples/liveapp.py:{probe_line()}",
            "template": "token length {len(token)} for {ctx.organization}", "reason": "431 for long tokens",
            "max_hits": 20})
        probe = json.loads(body)
        probes_url = f"{server.base}/api/v1/issues/{desk['issue']}/probes"

        def status():
            statuses = get(probes_url, desk["token"])[1][0]["statuses"]
            return statuses[0]["status"] if statuses else None

        wait_for(lambda: status() in ("installed", "done", "error"), 30, "the agent's status")
        assert status() in ("installed", "done")
        hits_url = f"{server.base}/api/v1/issues/{desk['issue']}/probe-hits?wait=10"
        wait_for(lambda: len(get(hits_url, desk["token"])[1]["hits"]) >= 5, 30, "hits")
        hits = get(hits_url, desk["token"])[1]["hits"]
        assert {h["probe"] for h in hits} == {probe["id"]}
        assert {h["message"] for h in hits} == {"token length 9000 for acme-robotics"}  # never globex's
        assert {h["context"]["organization"] for h in hits} == {"acme-robotics"}
        _, profile = get(f"{server.base}/api/v1/organizations/{desk['organization']}/profile", desk["token"])
        assert "Kubernetes" in json.dumps(profile)
    finally:
        if app is not None:
            app.terminate()
            app.wait(timeout=20)
        log = server.stop()
    assert "Traceback" not in log, log


def hold_poll(base, secret, instance_id, version, results):
    started = time.monotonic()
    url = f"{base}/api/v1/agents/probes?instance_id={instance_id}&version={version}&wait=20"
    status, body = get(url, secret)
    results.append((status, body, time.monotonic() - started))


def created_reaches_the_held_poll(one: str, two: str, token: str, secret: str, issue: str) -> None:
    instance_id = uuid.uuid4().hex
    request(f"{one}/api/v1/agents/register", secret, {"instance_id": instance_id, "service": "portal"})
    status, body = get(f"{one}/api/v1/agents/probes?instance_id={instance_id}&version=0&wait=0", secret)
    version = body["version"] if status == 200 else 0
    results: list = []
    held = threading.Thread(target=hold_poll, args=(one, secret, instance_id, version, results))
    held.start()
    time.sleep(1.0)  # the poll is held on process one
    created = time.monotonic()
    _, body = request(f"{two}/api/v1/issues/{issue}/probes", token, {
        "service": "portal", "kind": "snapshot", "location": "shop/views.py:42", "reason": "what is in the cart"})
    probe = json.loads(body)
    held.join(timeout=30)
    status, answer, _ = results[0]
    assert status == 200 and probe["id"] in [p["id"] for p in answer["probes"]]
    assert time.monotonic() - created < 15  # woken by the change, long before its 20 s wait ran out


def test_a_probe_created_on_one_process_wakes_a_poll_held_on_another(tmp_path):
    env = clean_env(tmp_path, TIERLINE_PLAIN_HTTP="1")
    one = Server(env, "--no-demo", "--no-worker")
    two = Server(env, "--no-demo", "--no-worker")
    try:
        desk = setup_desk(env, two.base)
        created_reaches_the_held_poll(one.base, two.base, desk["token"], desk["agent_token"], desk["issue"])
        bad = urllib.request.Request(f"{one.base}/api/v1/agents/probes?instance_id=x", headers={
            "Authorization": "Bearer tla_nope"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(bad, timeout=10)
        assert refused.value.code == 401 and json.loads(refused.value.read())["detail"]
    finally:
        logs = one.stop() + two.stop()
    assert "Traceback" not in logs, logs

