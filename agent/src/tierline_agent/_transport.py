"""How the agent talks to the Tierline server (wire protocol in README.md).

`Transport` is the interface; `HttpTransport` speaks JSON over HTTP with urllib (stdlib only) and
a bearer token; `InMemoryTransport` is a server in a box for tests and local runs. Every method
raises `TransportError` on any failure (refused, timeout, HTTP error, malformed answer); the
caller retries with backoff. Transports are only ever used from the agent's own threads.
"""
from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from typing import Protocol

API = "/api/v1/agents"


class TransportError(Exception):
    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status  # the HTTP status, when the server answered with one


class Transport(Protocol):
    def register(self, info: dict) -> dict: ...
    def poll_probes(self, instance_id: str, version: int, wait: float) -> dict | None: ...
    def send_status(self, payload: dict) -> None: ...
    def send_hits(self, payload: dict) -> None: ...


def _expect_object(data) -> dict:
    if not isinstance(data, dict):
        raise TransportError("malformed answer: expected a JSON object")
    return data


def check_probe_answer(data) -> dict:
    data = _expect_object(data)
    if not isinstance(data.get("version"), int) or not isinstance(data.get("probes"), list):
        raise TransportError("malformed probe set: needs integer 'version' and list 'probes'")
    return data


class HttpTransport:
    def __init__(self, server: str, token: str, timeout: float = 10.0):
        self.base = server.rstrip("/") + API
        self.token, self.timeout = token, timeout

    def _request(self, method: str, path: str, body: dict | None = None, timeout: float | None = None):
        data = None if body is None else json.dumps(body, separators=(",", ":"), default=str).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                status = response.status
                raw = response.read(16 * 1024 * 1024)
        except urllib.error.HTTPError as error:
            raise TransportError(f"HTTP {error.code} from {path}", error.code) from None
        except Exception as error:  # refused, reset, timeout, bad status line...
            raise TransportError(f"{type(error).__name__}: {error}") from None
        if status == 204 or not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise TransportError(f"malformed JSON from {path}") from None

    def register(self, info: dict) -> dict:
        return _expect_object(self._request("POST", "/register", info))

    def poll_probes(self, instance_id: str, version: int, wait: float) -> dict | None:
        query = urllib.parse.urlencode({"instance_id": instance_id, "version": version, "wait": int(wait)})
        data = self._request("GET", f"/probes?{query}", timeout=wait + self.timeout)
        return None if data is None else check_probe_answer(data)

    def send_status(self, payload: dict) -> None:
        self._request("POST", "/status", payload)

    def send_hits(self, payload: dict) -> None:
        self._request("POST", "/hits", payload)


class InMemoryTransport:
    """Holds a probe set and records everything the agent sends."""

    def __init__(self):
        self.registrations: list[dict] = []
        self.statuses: list[dict] = []
        self.hit_batches: list[dict] = []
        self.version = 0
        self.probes: list[dict] = []
        self._changed = threading.Condition()

    def set_probes(self, probes: list[dict]) -> None:
        with self._changed:
            self.version += 1
            self.probes = list(probes)
            self._changed.notify_all()

    def wake(self) -> None:
        """End every waiting long poll now (the agent is stopping)."""
        with self._changed:
            self._changed.notify_all()

    def register(self, info: dict) -> dict:
        self.registrations.append(info)
        return {"instance_id": info["instance_id"], "poll_wait": 25}

    def poll_probes(self, instance_id: str, version: int, wait: float) -> dict | None:
        with self._changed:
            if version == self.version:
                self._changed.wait(timeout=wait)
            if version == self.version:
                return None
            return {"version": self.version, "probes": list(self.probes)}

    def send_status(self, payload: dict) -> None:
        self.statuses.append(payload)

    def send_hits(self, payload: dict) -> None:
        self.hit_batches.append(payload)

    # helpers for tests
    def hits(self, kind: str | None = None) -> list[dict]:
        return [h for batch in self.hit_batches for h in batch["hits"] if kind is None or h["kind"] == kind]

    def latest_status(self, probe_id: str) -> dict | None:
        for payload in reversed(self.statuses):
            for entry in payload["probes"]:
                if entry["id"] == probe_id:
                    return entry
        return None
