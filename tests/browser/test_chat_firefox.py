"""The chat widget in Firefox (issue: "works in the current Chromium and Firefox").

Playwright's Firefox is a patched build that cannot be installed from a package registry, so these
tests drive Debian's stock `firefox-esr` over WebDriver BiDi with puppeteer-core
(tests/browser/firefox/chat.mjs, installed by scripts/test.sh with `npm ci`). This module prepares
the data and the servers, runs the scenario, then checks what landed in Tierline.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.chat_server import (
    asgi_server_fixture,  # noqa: F401 (a fixture)
    off_the_browser_thread,
    product_page,
    product_site,
)
from tests.conversations.helpers import make_chat_key, signed_identity
from tests.factories import make_org, make_staff, make_token
from tierline.conversations.actions import Context, do_open_conversation
from tierline.conversations.identity import verify_identity
from tierline.conversations.models import Conversation
from tierline.issues.models import Channel, Issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIREFOX = os.environ.get("TIERLINE_FIREFOX", "/usr/bin/firefox-esr")
DRIVER = Path(__file__).parent / "firefox"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)


def run_in_firefox(name: str, **scenario) -> dict:
    missing = [what for what, ok in (
        (FIREFOX, shutil.which(FIREFOX)), ("node", shutil.which("node")),
        ("puppeteer-core (npm ci --prefix tests/browser/firefox)", (DRIVER / "node_modules/puppeteer-core").is_dir()),
    ) if not ok]
    if missing:
        if os.environ.get("TIERLINE_REQUIRE_SERVICES"):
            pytest.fail(f"Firefox tests need {', '.join(missing)}")
        pytest.skip(f"Firefox tests need {', '.join(missing)} (scripts/test.sh installs them)")
    # The scenario talks to the servers this process runs; its browser sees the test database.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    done = subprocess.run(["node", str(DRIVER / "chat.mjs")], capture_output=True, text=True, timeout=240,
                          env={**os.environ, "SCENARIO": json.dumps({"name": name, "firefox": FIREFOX, **scenario})})
    lines = done.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines else {"ok": False, "error": done.stderr[-3000:]}
    assert result["ok"], f"Firefox, step {result.get('step')!r}: {result.get('error')}\n{done.stderr[-2000:]}"
    return result


def test_customer_chats_in_firefox_and_sees_the_agents_reply_live(asgi_server, tmp_path):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    identity = signed_identity(make_chat_key(acme), acme, email="ann@acme.example", name="Ann Example")
    agent = make_staff("support_t1", email="alice@tierline.example", name="Alice Agent")
    screenshot = tmp_path / "q3.png"
    screenshot.write_bytes(PNG)

    result = run_in_firefox("signed", server=asgi_server, token=make_token(agent, scope="write"),
                            url=f"{asgi_server}/widget/demo/?identity={identity}&app_version=2.4.1",
                            screenshot=str(screenshot))

    issue = Issue.objects.get(channel=Channel.CHAT)
    assert result["key"] == issue.key and "Firefox" in result["user_agent"]
    assert (issue.organization, issue.requester.email) == (acme, "ann@acme.example")
    assert issue.title == "The revenue chart is empty since this morning"
    assert issue.attachments.get().filename == "q3.png"
    assert [c.author for c in issue.comments.filter(is_public=True).order_by("id")] == [None, agent, agent]
    conversation = Conversation.objects.get(issue=issue)
    assert conversation.is_verified and conversation.app_version == "2.4.1"
    assert "/widget/demo/" in conversation.page_url and "Firefox" in conversation.user_agent


def test_a_forged_identity_is_anonymous_in_firefox_on_a_hostile_product_page(asgi_server):
    acme = make_org(name="Acme Robotics", email_domains=["acme.example"])
    key = make_chat_key(acme)
    off_the_browser_thread(lambda: do_open_conversation(
        identity=verify_identity(signed_identity(key, acme, email="ceo@acme.example")),
        body="Our merger closes Friday", context=Context()))
    forged = signed_identity(key, acme, email="ceo@acme.example", secret="tlc_not-the-secret")
    with product_site(product_page(asgi_server, forged, hostile=True)) as product:
        run_in_firefox("refused", server=asgi_server, url=f"{product}/account")

    issue = Issue.objects.get(channel=Channel.CHAT, conversation__is_verified=False)
    assert issue.organization is None and issue.requester.email.endswith("@chat.invalid")
    assert issue.title == "Show me the CEO's tickets"
    assert "Firefox" in issue.conversation.user_agent
