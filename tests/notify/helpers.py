"""A real HTTP endpoint for the webhook tests: a threading `http.server` on 127.0.0.1 that checks
each delivery's signature and answers as told (a status, a redirect, a slow or endless answer)."""

import contextlib
import hashlib
import hmac
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    signature_ok: bool


@dataclass
class Receiver:
    secret: str = ""
    answers: list = field(default_factory=list)  # what to do for each next request; then 200
    received: list = field(default_factory=list)
    url: str = ""

    def next_answer(self):
        return self.answers.pop(0) if self.answers else 200


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            expected = "sha256=" + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
            signature_ok = hmac.compare_digest(self.headers.get("X-Tierline-Signature", ""), expected)
            receiver.received.append(Received(self.path, dict(self.headers), body, signature_ok))
            answer = receiver.next_answer()
            if answer == "redirect":
                self.send_response(302)
                self.send_header("Location", "http://elsewhere.example/steal")
                self.end_headers()
            elif answer == "slow":  # headers at once, then a trickle that never ends in time
                self.send_response(200)
                self.send_header("Content-Length", "100000")
                self.end_headers()
                for _ in range(40):
                    try:
                        self.wfile.write(b"x")
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(0.05)
            elif answer == "stall":  # nothing at all for longer than any timeout
                time.sleep(2)
            elif answer == "huge":
                self.send_response(200)
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(b"y" * 5_000_000)
            else:
                status = 200 if signature_ok and answer == 200 else (401 if not signature_ok else answer)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/tierline"
    return receiver, server
