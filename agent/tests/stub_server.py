"""A loopback-only stub of the Tierline agent API that records every request (tests only)."""
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StubServer:
    def __init__(self, probes=(), garbage=False):
        self.requests = []
        self.probes = list(probes)
        self.version = 1 if probes else 0
        self.garbage = garbage
        self.forget_instances = False  # answer polls with 404 until the agent registers again
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, body=None):
                raw = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                stub.requests.append(("GET", url.path, query, dict(self.headers)))
                if stub.garbage:
                    return self._answer(200, b"<html>not json")
                if url.path == "/api/v1/agents/probes":
                    if stub.forget_instances:
                        return self._answer(404, {"detail": "unknown instance"})
                    if int(query.get("version", 0)) != stub.version:
                        return self._answer(200, {"version": stub.version, "probes": stub.probes})
                    return self._answer(204)
                self._answer(404, {"detail": "not found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                stub.requests.append(("POST", self.path, body, dict(self.headers)))
                if stub.garbage:
                    return self._answer(200, b"\x00\xffgarbage")
                if self.path == "/api/v1/agents/register":
                    stub.forget_instances = False
                    return self._answer(200, {"instance_id": body["instance_id"], "poll_wait": 25})
                self._answer(202, {"accepted": True})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def bodies(self, path):
        return [r[2] for r in self.requests if r[1] == path]
