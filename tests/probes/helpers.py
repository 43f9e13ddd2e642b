"""Agent tokens, registered instances and probes for the probes tests and the role tables, and an
agent-side client that speaks the wire protocol through Django's test client."""

import itertools
import json
import uuid

from django.test import Client

from tierline.probes.actions import do_create_agent_token, do_create_probe, do_register_instance

_seq = itertools.count(1)
REPORT = {"host": "web-3", "pid": 4121, "python": "3.11.7", "implementation": "cpython",
          "os": "Linux-6.1.0-x86_64-with-glibc2.36", "agent_version": "0.1.0",
          "packages": {"Django": "5.0.6", "bytecode": "0.16.1"}}


def make_agent_token(service: str = "portal"):
    """(token row, secret)."""
    return do_create_agent_token(service=service, name=f"agents {next(_seq)}", actor=None)


def make_instance(token, **report):
    return do_register_instance(token, {**REPORT, "instance_id": uuid.uuid4().hex, "service": token.service,
                                        "tags": {}, **report})


def make_probe(issue, actor=None, **fields):
    values = {"service": "portal", "kind": "log", "location": "app/auth.py:88",
              "template": "token length {len(token)}", "reason": "token too long for TL customers", **fields}
    return do_create_probe(issue, actor=actor, **values)


class AgentClient:
    """What the agent sends, through Django's test client (the long poll's async view included)."""

    def __init__(self, secret: str):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"}

    def post(self, path: str, body, *, raw: bytes | None = None):
        data = raw if raw is not None else json.dumps(body)
        return self.client.post(f"/api/v1/agents/{path}", data=data, content_type="application/json",
                                headers=self.headers)

    def register(self, instance_id: str | None = None, service: str = "portal", **report):
        instance_id = instance_id or uuid.uuid4().hex
        return self.post("register", {**REPORT, "instance_id": instance_id, "service": service, "tags": {},
                                      **report})

    def poll(self, instance_id: str, version: int = 0, wait: float = 0):
        return self.client.get("/api/v1/agents/probes", {"instance_id": instance_id, "version": version,
                                                          "wait": wait}, headers=self.headers)


def make_probes_ids() -> dict:
    """A probe, as a URL part for the role table (engineers may change it; others get 403)."""
    from tests.factories import make_issue, make_org

    probe = make_probe(make_issue(make_org()), service=f"svc-{next(_seq)}")
    return {"probe_id": probe.public_id, "token_id": make_agent_token()[0].pk}
