"""Two web processes sharing PostgreSQL and Redis, as in the scale-out path: a widget connected to
one and an agent on the other talk to each other live. Runs in the suite's PostgreSQL and Redis
pass (scripts/test.sh); on SQLite the test database lives in this process only, so it is skipped."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from websockets.sync.client import connect

from tests.conftest import require_service
from tests.conversations.helpers import make_chat_key, signed_identity
from tests.factories import make_org, make_staff, make_token

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
SRC = Path(__file__).resolve().parents[2] / "src"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    user, host, port = quote(db["USER"] or "", safe=""), db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def two_servers():
    redis_url = require_service("TIERLINE_TEST_REDIS_URL", "Redis")
    if connection.vendor != "postgresql":
        pytest.skip("two processes share the test database only on PostgreSQL")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tierline.settings", "DATABASE_URL": database_url(),
           "REDIS_URL": redis_url, "TIERLINE_SECRET_KEY": settings.SECRET_KEY, "TIERLINE_PLAIN_HTTP": "1",
           "TIERLINE_ALLOWED_HOSTS": "127.0.0.1", "TIERLINE_TASKS_IMMEDIATE": "1",
           "TIERLINE_DATA_DIR": tempfile.mkdtemp(prefix="tierline-two-processes-"),
           "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    servers, ports = [], [free_port(), free_port()]
    try:
        for port in ports:
            servers.append(subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "tierline.asgi:application", "--host", "127.0.0.1",
                 "--port", str(port), "--lifespan", "off", "--log-level", "warning", "--no-access-log"], env=env))
        for port, server in zip(ports, servers, strict=True):
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, "a web process exited"
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, "a web process did not start"
                    time.sleep(0.2)
        yield [f"127.0.0.1:{port}" for port in ports]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)


def next_of(ws, kind: str, **match) -> dict:
    while True:
        frame = json.loads(ws.recv(timeout=20))
        if frame["type"] == kind and all(frame.get("message", {}).get(k) == v for k, v in match.items()):
            return frame


def test_a_conversation_crosses_two_web_processes(two_servers):
    one, two = two_servers
    org = make_org(name="Acme", email_domains=["acme.example"])
    agent = make_staff(name="Alice Agent")
    token = make_token(agent, scope="write")
    browser = Client()
    browser.force_login(agent)
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    cookie = f"sessionid={session}; __Host-sessionid={session}"  # whichever name the servers use
    identity = signed_identity(make_chat_key(org), org)

    with connect(f"ws://{one}/ws/chat/") as widget, connect(
            f"ws://{two}/ws/desk/", additional_headers={"Cookie": cookie, "Origin": f"http://{two}"}) as desk:
        widget.send(json.dumps({"type": "hello", "identity": identity}))
        assert next_of(widget, "welcome")["verified"] is True
        widget.send(json.dumps({"type": "message", "body": "Export fails"}))
        key = next_of(widget, "opened")["key"]
        desk.send(json.dumps({"type": "watch", "issue": key}))
        next_of(desk, "watching")

        widget.send(json.dumps({"type": "message", "body": "Still failing"}))  # process one ...
        heard = next_of(desk, "message", body="Still failing")  # ... heard on process two
        assert heard["message"]["from"] == "customer" and heard["message"]["issue"] == key

        reply = urllib.request.Request(  # the agent answers through process two ...
            f"http://{two}/api/v1/issues/{key}/comments", method="POST",
            data=json.dumps({"body": "Fixed now", "is_public": True}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        assert urllib.request.urlopen(reply, timeout=20).status == 201
        shown = next_of(widget, "message", body="Fixed now")  # ... and the widget on one shows it live
        assert shown["message"]["from"] == "agent" and shown["message"]["author"] == "Alice Agent"
