"""What the chat browser tests share: Tierline on a live ASGI server with websockets (uvicorn in a
thread: pytest-django's live server speaks WSGI only) and a company's product site on another
origin, for Chromium (test_chat.py) and Firefox (test_chat_firefox.py) alike."""

import contextlib
import http.server
import socket
import threading
import time

import pytest
import uvicorn
from channels.layers import channel_layers
from django.core.cache import cache

from tests.event_loop import in_own_thread
from tierline.conversations.pool import close_pool

# A product page that does its worst to the page it shares with the widget: global CSS that
# hides, restyles and repositions everything it can reach, and array methods that throw.
HOSTILE_HEAD = (
    "<style>*{position:static!important;font:40px/2 serif!important;color:red!important;"
    "visibility:visible!important;box-sizing:content-box!important}"
    "div,button,form,textarea,input,ol,li,[hidden],[data-tierline-chat]{display:none!important}"
    "body>*:last-child{transform:scale(0)!important;opacity:0!important}</style>"
    "<script>['forEach','map','filter','join','push','shift','indexOf','slice','splice'].forEach(function(n){"
    "Array.prototype[n]=function(){throw new Error('the host page broke Array.prototype.'+n);};});"
    "Array.prototype.toJSON=function(){return 'hostile';};Object.prototype.hostile=true;</script>"
)


@pytest.fixture(name="asgi_server")
def asgi_server_fixture():
    """Import it as `asgi_server_fixture` (ruff sees a use); tests ask for `asgi_server`."""
    from tierline.asgi import application

    channel_layers.backends.clear()  # the in-memory layer belongs to the server's event loop
    cache.clear()  # the anonymous chat limit counts per address, and every test chats from 127.0.0.1
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(application, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    channel_layers.backends.clear()
    close_pool()  # the chat pool's threads hold connections to the test database


@contextlib.contextmanager
def product_site(html: str):
    """A product page on another origin than Tierline (another port of the loopback address)."""

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def product_page(asgi_server: str, identity: str, *, hostile: bool = False) -> str:
    head = HOSTILE_HEAD if hostile else ""
    return (f"<!doctype html><html lang=en><head><title>Shop</title>{head}</head><body><h1>Shop</h1>"
            f'<script src="{asgi_server}/widget.js" data-identity="{identity}" data-app-version="7.0"></script>'
            "</body></html>")


def wait_for(query, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = query()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def off_the_browser_thread(write):
    """Run `write` (an action) off the tests' thread and return its result: an action that publishes
    with no websocket server on hand (async_to_sync) is refused where Playwright's loop runs."""
    return in_own_thread(write, timeout=30)
