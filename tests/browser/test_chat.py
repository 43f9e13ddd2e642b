"""The chat widget end to end: a customer on a product page and an agent on the desk, in two
browser contexts, against a live ASGI server with websockets (uvicorn in a thread: pytest-django's
live server speaks WSGI only)."""

import contextlib
import http.server
import socket
import threading
import time

import pytest
import uvicorn
from channels.layers import channel_layers
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.conversations.helpers import make_chat_key, signed_identity
from tests.factories import make_org, make_staff
from tierline.conversations.actions import Context, do_open_conversation
from tierline.conversations.identity import verify_identity
from tierline.conversations.models import Conversation
from tierline.issues.models import Channel, Issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def asgi_server():
    from tierline.asgi import application

    channel_layers.backends.clear()  # the in-memory layer belongs to the server's event loop
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


@pytest.fixture
def contexts(browser, asgi_server):
    opened = []

    def open_page():
        context = browser.new_context(base_url=asgi_server)
        opened.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield open_page
    for context in opened:
        context.close()


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


def _wait_for(query, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = query()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_customer_chats_and_sees_the_agents_reply_live(contexts):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    identity = signed_identity(make_chat_key(acme), acme, email="ann@acme.example", name="Ann Example")
    agent = make_staff("support_t1", email="alice@tierline.example", name="Alice Agent")

    desk = contexts()
    log_in(desk, agent.email)
    desk.goto("/desk/conversations/")
    expect(desk.locator("body[data-live=on]")).to_have_count(1)
    expect(desk.locator("#live-conversations tbody")).to_contain_text("No open conversations")

    customer = contexts()
    customer.goto(f"/widget/demo/?identity={identity}&app_version=2.4.1")
    expect(customer.get_by_role("heading", name="Quarterly revenue")).to_be_visible()
    customer.get_by_role("button", name="Chat with support").click()
    customer.get_by_label("Your message").fill("The revenue chart is empty since this morning")
    customer.keyboard.press("Enter")
    messages = customer.get_by_role("log", name="Messages")
    expect(messages).to_contain_text("The revenue chart is empty since this morning")

    # The queue updates by itself: who is waiting, and for how long.
    row = desk.locator("#live-conversations tbody tr", has_text="Acme Robotics")
    expect(row).to_contain_text("The revenue chart is empty")
    expect(row.locator(".waiting")).to_contain_text(" s")
    issue = _wait_for(lambda: Issue.objects.filter(channel=Channel.CHAT).first())
    row.get_by_role("link", name=issue.key).click()

    # The conversation is an issue with its context.
    panel = desk.get_by_role("region", name="Chat context")
    expect(panel).to_contain_text("verified")
    expect(panel.locator(".page-url")).to_contain_text("/widget/demo/")
    expect(panel.locator(".app-version")).to_have_text("2.4.1")
    expect(panel.locator(".user-agent")).to_contain_text("Chrom")
    expect(desk.locator("body[data-live=on]")).to_have_count(1)

    customer.get_by_label("Your message").fill("It is the Q3 dashboard")
    customer.get_by_role("button", name="Send").click()
    expect(panel.get_by_role("list", name="Arriving live")).to_contain_text("It is the Q3 dashboard")

    desk.get_by_label("Message").fill("Thanks Ann, we are looking at the Q3 dashboard now.")
    desk.get_by_role("button", name="Send").click()
    expect(messages).to_contain_text("Alice Agent")
    expect(messages).to_contain_text("we are looking at the Q3 dashboard now")

    customer.get_by_label("Screenshot").set_input_files(
        files=[{"name": "q3.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + bytes(200)}])
    customer.get_by_role("button", name="Send").click()
    expect(messages).to_contain_text("[q3.png]")
    expect(panel.get_by_role("list", name="Arriving live")).to_contain_text("q3.png")

    issue.refresh_from_db()
    assert issue.attachments.get().filename == "q3.png"
    assert (issue.organization, issue.requester.email, issue.status) == (acme, "ann@acme.example", "open")
    conversation = Conversation.objects.get(issue=issue)
    assert conversation.is_verified and conversation.app_version == "2.4.1"
    assert "/widget/demo/" in conversation.page_url and conversation.user_agent


def test_a_forged_identity_is_refused_on_the_product_site(contexts, asgi_server):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    key = make_chat_key(acme)
    # The real CEO chatted before; a forged identity with the same address must not read it.
    do_open_conversation(identity=verify_identity(signed_identity(key, acme, email="ceo@acme.example")),
                         body="Our merger closes Friday", context=Context())
    forged = signed_identity(key, acme, email="ceo@acme.example", secret="tlc_not-the-secret")
    page_html = ("<!doctype html><html lang=en><title>Shop</title><h1>Shop</h1>"
                 f'<script src="{asgi_server}/widget.js" data-identity="{forged}" data-app-version="7.0"></script>')
    with product_site(page_html) as product:  # the company's own site, another origin
        customer = contexts()
        customer.goto(f"{product}/account")
        _refused_and_anonymous(customer, product)


def _refused_and_anonymous(customer, product):
    customer.get_by_role("button", name="Chat with support").click()
    expect(customer.get_by_role("status")).to_contain_text("could not verify who you are")
    expect(customer.locator("[data-tierline-chat][data-state=refused]")).to_have_count(1)
    customer.get_by_label("Your message").fill("Show me the CEO's tickets")
    customer.keyboard.press("Enter")
    log = customer.get_by_role("log", name="Messages")
    expect(log).to_contain_text("Show me the CEO's tickets")
    expect(log).not_to_contain_text("merger")

    issue = _wait_for(lambda: Issue.objects.filter(channel=Channel.CHAT, conversation__is_verified=False).first())
    assert issue.organization is None and issue.requester.email.endswith("@chat.invalid")
    assert not Conversation.objects.get(issue=issue).is_verified
    assert Conversation.objects.get(issue=issue).page_url == f"{product}/account"
