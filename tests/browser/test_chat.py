"""The chat widget end to end: a customer on a product page and an agent on the desk, in two
browser contexts, against a live ASGI server with websockets (tests/browser/chat_server.py). The same in Firefox:
test_chat_firefox.py."""

import pytest
from playwright.sync_api import expect

from tests.browser.chat_server import (
    asgi_server_fixture,  # noqa: F401 (a fixture)
    off_the_browser_thread,
    product_page,
    product_site,
    wait_for,
)
from tests.browser.conftest import log_in
from tests.conversations.helpers import make_chat_key, signed_identity
from tests.factories import make_org, make_staff
from tierline.conversations.actions import Context, do_open_conversation
from tierline.conversations.identity import verify_identity
from tierline.conversations.models import Conversation
from tierline.issues.actions import do_add_comment
from tierline.issues.models import Channel, Issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
    issue = wait_for(lambda: Issue.objects.filter(channel=Channel.CHAT).first())
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


@pytest.mark.parametrize("hostile", [False, True], ids=["plain-page", "hostile-page"])
def test_a_forged_identity_is_refused_on_the_product_site(contexts, asgi_server, hostile):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    key = make_chat_key(acme)
    # The real CEO chatted before; a forged identity with the same address must not read it.
    off_the_browser_thread(lambda: do_open_conversation(
        identity=verify_identity(signed_identity(key, acme, email="ceo@acme.example")),
        body="Our merger closes Friday", context=Context()))
    assert Issue.objects.filter(title="Our merger closes Friday").exists()
    forged = signed_identity(key, acme, email="ceo@acme.example", secret="tlc_not-the-secret")
    # The company's own site, on another origin; the hostile one restyles everything and breaks
    # Array.prototype, and the widget still works without throwing into it.
    with product_site(product_page(asgi_server, forged, hostile=hostile)) as product:
        customer = contexts()
        errors = []
        customer.on("pageerror", lambda error: errors.append(error))
        customer.goto(f"{product}/account")
        _refused_and_anonymous(customer, product)
        assert customer.locator("tierline-chat").bounding_box()["width"] > 0
    assert not errors


def _refused_and_anonymous(customer, product):
    customer.get_by_role("button", name="Chat with support").click()
    expect(customer.get_by_role("status")).to_contain_text("could not verify who you are")
    expect(customer.locator("[data-tierline-chat][data-state=refused]")).to_have_count(1)
    customer.get_by_label("Your message").fill("Show me the CEO's tickets")
    customer.keyboard.press("Enter")
    log = customer.get_by_role("log", name="Messages")
    expect(log).to_contain_text("Show me the CEO's tickets")
    expect(log).not_to_contain_text("merger")

    issue = wait_for(lambda: Issue.objects.filter(channel=Channel.CHAT, conversation__is_verified=False).first())
    assert issue.organization is None and issue.requester.email.endswith("@chat.invalid")
    assert not Conversation.objects.get(issue=issue).is_verified
    assert Conversation.objects.get(issue=issue).page_url == f"{product}/account"


def test_the_widget_works_from_the_keyboard_and_announces_replies(contexts):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    identity = signed_identity(make_chat_key(acme), acme, email="ann@acme.example")
    agent = make_staff("support_t1", email="alice@tierline.example", name="Alice Agent")
    customer = contexts()
    customer.goto(f"/widget/demo/?identity={identity}")
    chat_button = customer.get_by_role("button", name="Chat with support")
    chat_button.focus()
    customer.keyboard.press("Enter")
    dialog = customer.get_by_role("dialog", name="Chat with support")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Your message")).to_be_focused()
    customer.keyboard.type("Where is my invoice?")
    customer.keyboard.press("Enter")
    expect(dialog.get_by_role("log", name="Messages")).to_contain_text("Where is my invoice?")
    issue = wait_for(lambda: Issue.objects.filter(channel=Channel.CHAT).first())

    customer.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(customer.get_by_role("button", name="Chat with support")).to_be_focused()
    do_add_comment(issue, body="It is in Billing > Invoices.", is_public=True, author=agent)
    expect(customer.get_by_role("button", name="Chat with support (1 new)")).to_be_visible()
    expect(customer.locator("#tl-announce[aria-live=polite]")).to_have_text("New reply from Alice Agent")
    customer.keyboard.press("Enter")
    expect(dialog.get_by_role("log", name="Messages")).to_contain_text("It is in Billing > Invoices.")
