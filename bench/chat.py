"""In-app chat round trip with 200 open conversations on one server.

    .venv/bin/python bench/chat.py [--quick] [--database-url URL] [--conversations N] [--rounds R]
                                   [--pause 2-8] [--seed S]

Starts `uvicorn tierline.asgi:application` in a subprocess (one process, in-memory channel layer)
and opens N widget websockets (200; 50 with --quick) with the `websockets` library, each a
verified user of a customer with an SLA policy who opens a conversation. One agent listens on the
desk's websocket, watching every conversation, and answers each customer message through the REST
API (POST /api/v1/issues/{key}/comments), as a desk page or an integration would.

Measured, R rounds per conversation (5; 3 with --quick):
- baseline, in the same run on the same sockets and server: a plain websocket echo (a frame the
  widget consumer answers at once, without the database), all N at once;
- chat round trip, all N at once: every widget sends a message at the same instant -> it is stored
  as a comment and reaches the agent's desk socket -> the agent's reply is stored and pushed -> the
  widget shows it; the next round starts when every reply has arrived. The worst case;
- chat round trip, paced: what 200 people chatting at the same time do. Each conversation sends
  its next message a human pause (uniform in --pause seconds, from a seeded generator) after the
  reply to its previous one, so the N conversations overlap at random.
For each: p50 and p95 latency, round trips per second, and the server's CPU time per round trip
(from /proc; that figure does not depend on how long a message waited).
The ratios are chat p50 / echo p50.
"""

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _django import setup_django


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database-url", help="a throwaway PostgreSQL database; it is wiped")
    parser.add_argument("--conversations", type=int)
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--pause", default="2-8", help="seconds between a reply and the next message (paced)")
    parser.add_argument("--seed", type=int, default=8)
    return parser.parse_args()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "TIERLINE_ALLOWED_HOSTS": "127.0.0.1", "TIERLINE_PLAIN_HTTP": "1",
           "PYTHONPATH": str(Path(__file__).parent.parent / "src")}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "tierline.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning", "--lifespan", "off", "--no-access-log"], env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("uvicorn did not start")


def prepare(n: int):
    """An organization with a chat key, N signed identities, and an agent with a token and a session."""
    from django.conf import settings
    from django.test import Client

    from tierline.accounts.actions import do_create_api_token, do_create_user
    from tierline.conversations.actions import do_create_chat_key
    from tierline.conversations.identity import chat_secret, sign_identity
    from tierline.customers.actions import do_create_organization
    from tierline.escalation.sla import do_create_sla_policy

    # Replies start and stop SLA clocks, as they do for a customer with a support contract.
    do_create_sla_policy(name="Around the clock", first_response_minutes=60, next_response_minutes=60,
                         resolution_minutes=5 * 24 * 60)
    org = do_create_organization(name="Acme", email_domains=["acme.example"])
    key = do_create_chat_key(actor=None, organization=org)
    secret = chat_secret(key.key_id, key.secret_salt)
    expires = int(time.time()) + 3600
    identities = [sign_identity(key.key_id, secret, {"user_id": f"u{i}", "email": f"user{i}@acme.example",
                                                      "organization": org.pk, "exp": expires, "name": f"User {i}"})
                  for i in range(n)]
    agent = do_create_user(email="agent@tierline.example", role="support_t1", password="bench-only-password")
    token = do_create_api_token(agent, scope="write")[1]
    client = Client()
    client.force_login(agent)
    return identities, token, f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


async def run(port: int, server_pid: int, identities: list[str], token: str, cookie: str, rounds: int,
              pauses: list[list[float]]) -> dict:
    import websockets

    base = f"ws://127.0.0.1:{port}"
    pool = ThreadPoolExecutor(max_workers=16)
    loop = asyncio.get_running_loop()

    def post_reply(key: str, body: str) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/issues/{key}/comments", method="POST",
            data=json.dumps({"body": body, "is_public": True}).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=60).read()

    desk = await websockets.connect(f"{base}/ws/desk/", additional_headers={"Cookie": cookie,
                                                                          "Origin": f"http://127.0.0.1:{port}"})

    async def agent():
        async for frame in desk:
            event = json.loads(frame)
            if event["type"] == "message" and event["message"]["from"] == "customer":
                key = event["message"].get("issue")
                if key:
                    loop.run_in_executor(pool, post_reply, key, "Reply to " + event["message"]["body"])

    widgets = []
    for identity in identities:
        ws = await websockets.connect(f"{base}/ws/chat/", max_size=2**22)
        await ws.send(json.dumps({"type": "hello", "identity": identity, "page_url": "https://shop.example/",
                                  "app_version": "bench"}))
        widgets.append(ws)
    keys = []
    for ws in widgets:
        await _until(ws, "welcome")
        await ws.send(json.dumps({"type": "message", "body": "Opening the conversation"}))
        keys.append((await _until(ws, "opened"))["key"])
    for key in keys:
        await desk.send(json.dumps({"type": "watch", "issue": key}))
    for _ in keys:
        await _until(desk, "watching")
    agent_task = asyncio.create_task(agent())

    async def echo(ws) -> float:
        started = time.perf_counter()
        await ws.send('{"type": "echo"}')
        await _until(ws, "error")
        return time.perf_counter() - started

    async def round_trip(ws, label: str) -> float:
        body = f"{label} {id(ws)}"
        started = time.perf_counter()
        await ws.send(json.dumps({"type": "message", "body": body}))
        while True:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 120))
            if frame["type"] == "message" and frame["message"]["body"] == "Reply to " + body:
                return time.perf_counter() - started

    async def paced(ws, waits: list[float]) -> list[float]:
        times = []
        for n, wait in enumerate(waits):
            await asyncio.sleep(wait)
            times.append(await round_trip(ws, f"paced {n}"))
        return times

    phases = {}

    async def phase(name: str, rounds_of):
        cpu, started = server_cpu_seconds(server_pid), time.perf_counter()
        times = [t for batch in await rounds_of() for t in batch]
        phases[name] = {"times": times, "wall": time.perf_counter() - started,
                        "cpu": server_cpu_seconds(server_pid) - cpu}

    async def all_at_once(measure):
        return [await asyncio.gather(*(measure(ws, f"round {n}") for ws in widgets)) for n in range(rounds)]

    async def echo_rounds():
        return await all_at_once(lambda ws, _: echo(ws))

    async def burst_rounds():
        return await all_at_once(round_trip)

    async def paced_rounds():
        return await asyncio.gather(*(paced(ws, waits) for ws, waits in zip(widgets, pauses, strict=True)))

    await phase("echo", echo_rounds)
    await phase("chat", burst_rounds)
    await phase("paced", paced_rounds)
    agent_task.cancel()
    for ws in (*widgets, desk):
        await ws.close()
    pool.shutdown(wait=False)
    return phases


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server process so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _until(ws, kind: str) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 120))
        if frame["type"] == kind:
            return frame


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


LINES = {"echo": "websocket echo (baseline), all at once", "chat": "chat round trip, all at once",
         "paced": "chat round trip, paced {pause} s"}


def main():
    args = parse_args()
    n = args.conversations or (50 if args.quick else 200)
    rounds = args.rounds or (3 if args.quick else 5)
    low, _, high = args.pause.partition("-")
    rng = random.Random(args.seed)
    pauses = [[rng.uniform(float(low), float(high or low)) for _ in range(rounds)] for _ in range(n)]
    os.environ["TIERLINE_PLAIN_HTTP"] = "1"  # the bench and its server agree on the session cookie
    setup_django(args.database_url)
    identities, token, cookie = prepare(n)
    port = free_port()
    server = start_server(port)
    try:
        phases = asyncio.run(run(port, server.pid, identities, token, cookie, rounds, pauses))
    finally:
        server.terminate()
        server.wait(timeout=30)
    figures = {"conversations": n, "rounds": rounds, "pause_s": args.pause, "seed": args.seed,
               "database": "postgresql" if args.database_url else "sqlite"}
    for name, phase in phases.items():
        times = phase["times"]
        figures[f"{name}_p50_ms"] = round(statistics.median(times) * 1000, 1)
        figures[f"{name}_p95_ms"] = round(percentile(times, 95) * 1000, 1)
        figures[f"{name}_per_s"] = round(len(times) / phase["wall"], 1)
        figures[f"{name}_server_cpu_ms"] = round(phase["cpu"] / len(times) * 1000, 1)
    for name in ("chat", "paced"):
        figures[f"{name}_over_echo_p50"] = round(figures[f"{name}_p50_ms"] / max(figures["echo_p50_ms"], 0.001), 1)
    print(f"{n} concurrent conversations, {rounds} rounds each, one uvicorn process ({figures['database']})")
    print(f"{'':44}{'p50 ms':>9}{'p95 ms':>9}{'per s':>8}{'server CPU ms each':>20}")
    for name in phases:
        print(f"{LINES[name].format(pause=args.pause):44}{figures[f'{name}_p50_ms']:>9}{figures[f'{name}_p95_ms']:>9}"
              f"{figures[f'{name}_per_s']:>8}{figures[f'{name}_server_cpu_ms']:>20}")
    print(f"chat p50 / echo p50: all at once {figures['chat_over_echo_p50']}x, paced {figures['paced_over_echo_p50']}x")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
