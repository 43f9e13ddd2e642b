"""`tierline run` and `tierline worker` as real processes: the web server, the embedded worker,
and the scale-out path (web and worker apart, talking through Redis)."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import require_service

pytestmark = pytest.mark.e2e
TIERLINE = str(Path(sys.executable).with_name("tierline"))


def clean_env(data_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TIERLINE_") and k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(TIERLINE_DATA_DIR=str(data_dir), **extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(env, *args) -> str:
    done = subprocess.run([TIERLINE, *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def wait_for(predicate, timeout=30.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def request(url, token=None, data=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps(data).encode() if data is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=10) as response:
        return response.status, response.read()


class Server:
    def __init__(self, env, *args):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(Path(env["TIERLINE_DATA_DIR"]) / f"server-{self.port}.log", "w+")
        self.process = subprocess.Popen([TIERLINE, "run", "--port", str(self.port), *args], env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(lambda: request(f"{self.base}/login/")[0] == 200, 60, "the web server")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=20)
        self.log.seek(0)
        return self.log.read()


def setup_desk(env, base) -> tuple[str, str]:
    """An admin token and an issue whose requester gets email."""
    cli(env, "user", "create", "ops@tierline.example", "--role", "admin", "--password", "a-long-password")
    token = cli(env, "token", "create", "ops@tierline.example", "--scope", "admin").strip()
    _, body = request(f"{base}/api/v1/organizations", token, {"name": "Acme", "email_domains": ["acme.example"]})
    _, body = request(f"{base}/api/v1/contacts", token, {"email": "maya@acme.example"})
    contact = json.loads(body)
    _, body = request(f"{base}/api/v1/issues", token, {"title": "Export fails", "requester_id": contact["id"]})
    return token, json.loads(body)["key"]


def outbox(data_dir: Path) -> list[str]:
    folder = data_dir / "outbox"
    return [p.read_text() for p in folder.iterdir()] if folder.exists() else []


def test_run_serves_pages_static_files_api_and_the_embedded_worker(tmp_path):
    env = clean_env(tmp_path)
    server = Server(env, "--no-demo")
    try:
        status, css = request(f"{server.base}/static/tierline/app.css")
        assert status == 200 and b"--accent" in css
        token, key = setup_desk(env, server.base)
        request(f"{server.base}/api/v1/issues/{key}/comments", token, {"body": "Fixed in 5.2.2"})
        wait_for(lambda: any("Fixed in 5.2.2" in m for m in outbox(tmp_path)), 30, "the reply email")
        mail = next(m for m in outbox(tmp_path) if "Fixed in 5.2.2" in m)
        assert f"[{key}]" in mail and "maya@acme.example" in mail
    finally:
        log = server.stop()
    assert "Traceback" not in log
    assert (tmp_path / "tierline.sqlite3").exists()


def test_first_run_seeds_demo_data_and_prints_logins(tmp_path):
    env = clean_env(tmp_path, TIERLINE_DEMO_ISSUES="40")
    server = Server(env)
    log = server.stop()
    assert "admin@tierline.example" in log and "tierline-demo" in log
    assert "Seeding demo data" in log


@pytest.mark.redis
def test_web_and_worker_apart_share_the_queue_through_redis(tmp_path):
    redis_url = require_service("TIERLINE_TEST_REDIS_URL", "Redis")
    env = clean_env(tmp_path, REDIS_URL=redis_url, TIERLINE_QUEUE_NAME=f"test-{tmp_path.name}")
    server = Server(env, "--no-demo", "--no-worker")
    worker = None
    try:
        token, key = setup_desk(env, server.base)
        request(f"{server.base}/api/v1/issues/{key}/comments", token, {"body": "Queued through Redis"})
        time.sleep(1)
        assert not outbox(tmp_path), "no worker runs yet, so nothing may have been sent"
        worker = subprocess.Popen([TIERLINE, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: any("Queued through Redis" in m for m in outbox(tmp_path)), 30, "the worker")
    finally:
        if worker:
            worker.terminate()
            worker.wait(timeout=20)
        server.stop()
