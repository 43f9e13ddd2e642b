"""Live debugging: probe delivery to 200 long-polling agents, and hits stored per second.

    .venv/bin/python bench/probes.py [--quick] [--database-url URL] [--redis-url URL] [--agents N]
                                     [--rounds R] [--hit-agents H] [--batches B]

Starts a real `tierline run` (one process, no worker) on a throwaway data directory (SQLite, or
the given PostgreSQL database, wiped; with --redis-url the wake-ups go through Redis pub/sub).
N simulated agents (200; 50 with --quick), each its own instance id on its own connection
(asyncio, plain HTTP/1.1), register and long poll like the real agent (`wait=25`), and report
`installed` for every probe they receive.

Measured:
- delivery, R rounds (5; 3 with --quick): one probe created through `POST /issues/{key}/probes`;
  for each agent, the time from the create call returning to its `installed` status being stored
  (its POST /agents/status answered); p50, p95, max;
- the server's threads while every agent's poll is held (from /proc), against its threads idle;
- hits stored per second: H agents (10; 4 with --quick) each post B batches (5; 2) of 500 log
  hits at once; against the baseline, the rate of a trivial authenticated GET (/api/v1/users/me)
  at the same concurrency, in the same run. The ratio is hits/s over GETs/s.
"""

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from _django import setup_django

ROOT = Path(__file__).resolve().parent.parent


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database; it is wiped")
    parser.add_argument("--redis-url", help="wake held polls through Redis pub/sub")
    parser.add_argument("--agents", type=int)
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--hit-agents", type=int)
    parser.add_argument("--batches", type=int)
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare() -> dict:
    from tierline.accounts.actions import do_create_api_token, do_create_user
    from tierline.customers.actions import do_create_organization
    from tierline.issues.actions import do_create_issue
    from tierline.probes.actions import do_create_agent_token

    org = do_create_organization(name="Acme Robotics", email_domains=["acme.example"])
    engineer = do_create_user(email="erin@tierline.example", role="engineer_t4", password="bench-only-password")
    issue = do_create_issue(actor=None, title="431 on login", organization=org)
    return {"token": do_create_api_token(engineer, scope="write")[1], "issue": issue.key,
            "agent_token": do_create_agent_token(service="portal", actor=None)[1]}


def start_server(port: int, redis_url: str | None) -> subprocess.Popen:
    env = {**os.environ, "TIERLINE_ALLOWED_HOSTS": "127.0.0.1", "TIERLINE_PLAIN_HTTP": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "agent" / "src")])}
    if redis_url:
        env["REDIS_URL"] = redis_url
    server = subprocess.Popen([sys.executable, "-m", "tierline.cli", "run", "--no-demo", "--no-worker", "--port",
                               str(port)], env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("tierline run did not start")


async def http(port: int, method: str, path: str, token: str, body=None) -> tuple[int, dict | None]:
    """One request on its own connection (as the agent's urllib transport does)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    data = json.dumps(body).encode() if body is not None else b""
    writer.write(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                 f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\nConnection: close\r\n\r\n"
                 .encode() + data)
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, payload = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, (json.loads(payload) if payload.strip() else None)


RECEIVED: dict[str, list[float]] = {}  # probe id -> when each agent got it (before its status)


class Agent:
    def __init__(self, port: int, secret: str, installed: dict):
        self.port, self.secret, self.installed = port, secret, installed
        self.instance_id, self.version, self.seen = uuid.uuid4().hex, 0, set()
        self.received = RECEIVED

    async def run(self) -> None:
        await http(self.port, "POST", "/api/v1/agents/register", self.secret,
                   {"instance_id": self.instance_id, "service": "portal", "host": "bench", "pid": 1})
        while True:
            status, body = await http(self.port, "GET", f"/api/v1/agents/probes?instance_id={self.instance_id}"
                                      f"&version={self.version}&wait=25", self.secret)
            if status != 200:
                continue
            self.version = body["version"]
            new = [p for p in body["probes"] if p["id"] not in self.seen]
            if not new:
                continue
            received = time.monotonic()
            for probe in new:
                self.received.setdefault(probe["id"], []).append(received)
            await http(self.port, "POST", "/api/v1/agents/status", self.secret, {"instance_id": self.instance_id,
                       "probes": [{"id": p["id"], "version": p["version"], "status": "installed"}
                                  for p in body["probes"]]})
            stored = time.monotonic()
            for probe in new:
                self.seen.add(probe["id"])
                self.installed.setdefault(probe["id"], []).append(stored)


def threads_of(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return int(next(line.split()[1] for line in status if line.startswith("Threads:")))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def delivery(port: int, pid: int, data: dict, agents: int, rounds: int) -> dict:
    installed: dict[str, list[float]] = {}
    idle_threads = threads_of(pid)
    tasks = [asyncio.ensure_future(Agent(port, data["agent_token"], installed).run()) for _ in range(agents)]
    await asyncio.sleep(3)  # registered, first poll answered, every poll held
    await asyncio.sleep(5)  # request threads of the registrations gone
    held_threads = threads_of(pid)
    latencies, received = [], []
    for n in range(rounds):
        status, body = await http(port, "POST", f"/api/v1/issues/{data['issue']}/probes", data["token"], {
            "service": "portal", "kind": "log", "location": f"app/auth.py:{88 + n}", "template": "n={len(token)}",
            "reason": "bench"})
        created = time.monotonic()
        assert status == 201, body
        deadline = created + 30
        while len(installed.get(body["id"], [])) < agents and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        stored = installed.get(body["id"], [])
        latencies += [t - created for t in stored]
        received += [t - created for t in RECEIVED.get(body["id"], [])]
        print(f"  round {n + 1}: {len(stored)}/{agents} installed, slowest {max(stored) - created:.3f} s", flush=True)
        await asyncio.sleep(1)
    for task in tasks:
        task.cancel()
    return {"agents": agents, "rounds": rounds, "p50_s": round(statistics.median(latencies), 3),
            "p95_s": round(percentile(latencies, 0.95), 3), "max_s": round(max(latencies), 3),
            "received_p50_s": round(statistics.median(received), 3),
            "received_p95_s": round(percentile(received, 0.95), 3),
            "server_threads_idle": idle_threads, "server_threads_with_polls_held": held_threads}


async def hits_rate(port: int, data: dict, hit_agents: int, batches: int) -> dict:
    ids = []
    for _ in range(hit_agents):
        instance_id = uuid.uuid4().hex
        await http(port, "POST", "/api/v1/agents/register", data["agent_token"],
                   {"instance_id": instance_id, "service": "portal"})
        ids.append(instance_id)
    _, probes = await http(port, "GET", f"/api/v1/issues/{data['issue']}/probes", data["token"])
    probe_id = probes[0]["id"]
    batch = [{"kind": "log", "probe_id": probe_id, "probe_version": 1, "timestamp": time.time(), "thread": "Main",
              "context": {"user": f"u-{i}", "organization": "acme-robotics"}, "location": "app/auth.py:88",
              "message": f"token length {8000 + i}"} for i in range(500)]

    async def send(instance_id):
        for _ in range(batches):
            status, body = await http(port, "POST", "/api/v1/agents/hits", data["agent_token"],
                                      {"instance_id": instance_id, "dropped_total": 0, "hits": batch})
            assert status == 200 and body["stored"] == 500, body

    started = time.perf_counter()
    await asyncio.gather(*(send(i) for i in ids))
    hits_per_s = hit_agents * batches * 500 / (time.perf_counter() - started)

    async def get_me():
        for _ in range(batches * 10):
            assert (await http(port, "GET", "/api/v1/users/me", data["token"]))[0] == 200

    started = time.perf_counter()
    await asyncio.gather(*(get_me() for _ in ids))
    gets_per_s = hit_agents * batches * 10 / (time.perf_counter() - started)
    return {"hit_agents": hit_agents, "batches": batches, "hits_per_s": round(hits_per_s),
            "baseline_get_per_s": round(gets_per_s, 1), "hits_per_get": round(hits_per_s / gets_per_s, 1)}


def main() -> None:
    args = parse_args()
    agents = args.agents or (50 if args.quick else 200)
    rounds = args.rounds or (3 if args.quick else 5)
    hit_agents = args.hit_agents or (4 if args.quick else 10)
    batches = args.batches or (2 if args.quick else 5)
    sys.path.insert(0, str(ROOT / "agent" / "src"))  # the server checks probes with this tree's agent
    setup_django(args.database_url)
    data = prepare()
    from django.db import connections

    connections.close_all()
    port = free_port()
    server = start_server(port, args.redis_url)
    try:
        database = "PostgreSQL" if args.database_url else "SQLite"
        print(f"probe delivery: {agents} long-polling agents, {rounds} probes, {database}"
              f"{' + Redis' if args.redis_url else ''}", flush=True)
        figures = asyncio.run(delivery(port, server.pid, data, agents, rounds))
        print(f"  installed after create: p50 {figures['p50_s']} s, p95 {figures['p95_s']} s, max {figures['max_s']} s"
              f" (probe set received: p50 {figures['received_p50_s']} s, p95 {figures['received_p95_s']} s)")
        print(f"  server threads: {figures['server_threads_idle']} idle, "
              f"{figures['server_threads_with_polls_held']} with {agents} polls held")
        rates = asyncio.run(hits_rate(port, data, hit_agents, batches))
        print(f"hits: {rates['hits_per_s']} hits/s stored ({hit_agents} agents x {batches} batches of 500); "
              f"baseline GET /users/me {rates['baseline_get_per_s']}/s; ratio {rates['hits_per_get']}")
        print(json.dumps({"bench": "probes", "database": database, "redis": bool(args.redis_url),
                          "delivery": figures, "hits": rates}))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
