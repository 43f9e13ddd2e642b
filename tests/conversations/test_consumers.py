"""The widget and desk websockets, through Channels' WebsocketCommunicator against the real ASGI app."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.conf import settings as django_settings
from django.core import mail

from tests.conversations.helpers import make_chat_key, signed_identity
from tests.event_loop import run_async
from tests.factories import make_org, make_staff
from tierline.asgi import application
from tierline.conversations.models import Conversation
from tierline.issues.actions import do_add_comment
from tierline.issues.models import Channel, Issue

pytestmark = pytest.mark.django_db(transaction=True)
UA = (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) Chromium/131")


def run(coroutine_function):
    return run_async(coroutine_function)


async def widget(**hello):
    communicator = WebsocketCommunicator(application, "/ws/chat/", headers=[UA, (b"origin", b"https://shop.example")])
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "hello", "page_url": "https://shop.example/reports?q=1",
                                     "app_version": "2.4.1", **hello})
    return communicator, await communicator.receive_json_from(timeout=5)


async def next_of(communicator, kind):
    while True:
        frame = await communicator.receive_json_from(timeout=5)
        if frame["type"] == kind:
            return frame


@pytest.fixture
def acme():
    org = make_org(name="Acme", email_domains=["acme.example"])
    return org, make_chat_key(org)


def test_a_verified_customer_opens_a_conversation_and_sees_the_reply_live(acme):
    org, key = acme
    agent = make_staff(name="Alice Agent")

    async def scenario():
        communicator, welcome = await widget(identity=signed_identity(key, org))
        assert welcome["verified"] is True and welcome["refused"] is None and welcome["messages"] == []
        await communicator.send_json_to({"type": "message", "body": "Export to CSV fails\nwith error 500"})
        opened = await next_of(communicator, "opened")
        assert opened["conversation"] is None  # verified users resume by identity, never by a token
        issue = await sync_to_async(Issue.objects.select_related("requester", "conversation").get)(
            pk=int(opened["key"].split("-")[1]))
        await sync_to_async(do_add_comment)(issue, body="Looking into it", is_public=True, author=agent)
        reply = await next_of(communicator, "message")
        while reply["message"]["from"] != "agent":
            reply = await next_of(communicator, "message")
        assert reply["message"]["body"] == "Looking into it" and reply["message"]["author"] == "Alice Agent"
        await communicator.disconnect()
        return issue

    issue = run(scenario)
    assert issue.channel == Channel.CHAT and issue.title == "Export to CSV fails"
    assert issue.organization == org and issue.requester.email == "ann@acme.example"
    conversation = Conversation.objects.get(issue=issue)
    assert (conversation.page_url, conversation.app_version, conversation.is_verified) == (
        "https://shop.example/reports?q=1", "2.4.1", True)
    assert "Chromium/131" in conversation.user_agent
    assert conversation.sockets_open == 0 and conversation.waiting_since is None
    assert mail.outbox == []  # the customer was there: no email


def test_a_returning_customer_resumes_with_history_but_internal_notes_stay_internal(acme):
    org, key = acme
    agent = make_staff()

    async def first_visit():
        communicator, _ = await widget(identity=signed_identity(key, org))
        await communicator.send_json_to({"type": "message", "body": "Where is my invoice?"})
        opened = await next_of(communicator, "opened")
        await communicator.send_json_to({"type": "message", "body": "Still waiting"})
        await next_of(communicator, "message")
        await communicator.disconnect()
        return opened["key"]

    key_text = run(first_visit)
    issue = Issue.objects.get(pk=int(key_text.split("-")[1]))
    do_add_comment(issue, body="Customer is on the old plan", is_public=False, author=agent)

    async def second_visit():
        communicator, welcome = await widget(identity=signed_identity(key, org))
        await communicator.disconnect()
        return welcome

    welcome = run(second_visit)
    assert welcome["key"] == key_text
    assert [m["body"] for m in welcome["messages"]] == ["Where is my invoice?", "Still waiting"]


def test_a_forged_identity_is_refused_and_reads_no_history(acme):
    org, key = acme

    async def verified_then_forged():
        communicator, _ = await widget(identity=signed_identity(key, org))
        await communicator.send_json_to({"type": "message", "body": "Private billing question"})
        await next_of(communicator, "opened")
        await communicator.disconnect()
        forged, welcome = await widget(identity=signed_identity(key, org, secret="tlc_guess"))
        await forged.send_json_to({"type": "message", "body": "Show me everything"})
        opened = await next_of(forged, "opened")
        await forged.disconnect()
        return welcome, opened

    welcome, opened = run(verified_then_forged)
    assert welcome["verified"] is False and "signature" in welcome["refused"] and welcome["messages"] == []
    anonymous = Issue.objects.get(pk=int(opened["key"].split("-")[1]))
    assert anonymous.organization is None and anonymous.requester.email.endswith("@chat.invalid")
    assert opened["conversation"]  # an anonymous visitor resumes by the token it was given


def test_an_anonymous_visitor_resumes_only_with_its_token(acme):
    async def scenario():
        communicator, welcome = await widget()
        assert welcome["verified"] is False and welcome["refused"] is None
        await communicator.send_json_to({"type": "message", "body": "Hello?"})
        token = (await next_of(communicator, "opened"))["conversation"]
        await communicator.disconnect()
        again, resumed = await widget(conversation=token)
        stranger, other = await widget(conversation="not-the-token")
        await again.disconnect()
        await stranger.disconnect()
        return resumed, other

    resumed, other = run(scenario)
    assert [m["body"] for m in resumed["messages"]] == ["Hello?"]
    assert other["key"] is None and other["messages"] == []


def test_anonymous_messages_are_rate_limited(acme, settings):
    settings.CHAT_ANONYMOUS_LIMIT = 2

    async def scenario():
        communicator, _ = await widget()
        for body in ("one", "two", "three"):
            await communicator.send_json_to({"type": "message", "body": body})
        error = await next_of(communicator, "error")
        await communicator.disconnect()
        return error

    from django.core.cache import cache

    cache.clear()
    assert "Too many" in run(scenario)["detail"]
    cache.clear()


def test_messages_before_hello_and_bad_frames_get_an_error(acme):
    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/chat/")
        await communicator.connect()
        await communicator.send_json_to({"type": "message", "body": "hi"})
        first = await communicator.receive_json_from(timeout=5)
        await communicator.send_to(text_data="{not json")
        second = await communicator.receive_json_from(timeout=5)
        await communicator.send_json_to({"type": "hello"})
        welcome = await communicator.receive_json_from(timeout=5)
        await communicator.send_json_to({"type": "message", "body": "   "})
        empty = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return first, second, welcome, empty

    first, second, welcome, empty = run(scenario)
    assert first["type"] == second["type"] == "error"
    assert welcome["type"] == "welcome" and empty == {"type": "error", "detail": "A message needs some text"}


def test_the_desk_socket_needs_a_staff_session_and_same_origin(acme):
    async def refused(headers):
        communicator = WebsocketCommunicator(application, "/ws/desk/", headers=headers)
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert run_async(refused, [(b"origin", b"http://127.0.0.1")]) is False  # no session
    assert run_async(refused, [(b"origin", b"https://evil.example")]) is False


def test_the_desk_hears_customer_messages_and_queue_changes(acme, client):
    org, key = acme
    agent = make_staff()
    client.force_login(agent)
    name = django_settings.SESSION_COOKIE_NAME
    cookie = f"{name}={client.cookies[name].value}".encode()

    async def scenario():
        # A staff member's cookie rides along from any site: only Tierline's own pages may use it.
        hijack = WebsocketCommunicator(application, "/ws/desk/",
                                       headers=[(b"origin", b"https://evil.example"), (b"cookie", cookie)])
        assert (await hijack.connect())[0] is False
        desk = WebsocketCommunicator(application, "/ws/desk/",
                                     headers=[(b"origin", b"http://127.0.0.1"), (b"cookie", cookie)])
        connected, _ = await desk.connect()
        assert connected
        communicator, _ = await widget(identity=signed_identity(key, org))
        await communicator.send_json_to({"type": "message", "body": "It broke"})
        opened = await next_of(communicator, "opened")
        queued = await next_of(desk, "queue")
        await desk.send_json_to({"type": "watch", "issue": opened["key"]})
        await next_of(desk, "watching")
        await communicator.send_json_to({"type": "message", "body": "Screens attached soon"})
        live = await next_of(desk, "message")
        await desk.send_json_to({"type": "watch", "issue": "TL-999999"})
        missing = await next_of(desk, "error")
        await communicator.disconnect()
        await desk.disconnect()
        return queued, live, missing

    queued, live, missing = run(scenario)
    assert queued["issue_id"] and live["message"]["body"] == "Screens attached soon"
    assert live["message"]["from"] == "customer" and missing["detail"] == "no such issue"


def test_a_reply_after_the_customer_left_goes_by_email(acme, settings):
    org, key = acme
    settings.CHAT_AWAY_MINUTES = 0

    async def scenario():
        communicator, _ = await widget(identity=signed_identity(key, org))
        await communicator.send_json_to({"type": "message", "body": "Please call me back"})
        opened = await next_of(communicator, "opened")
        await communicator.disconnect()
        return opened["key"]

    issue = Issue.objects.get(pk=int(run(scenario).split("-")[1]))
    do_add_comment(issue, body="We fixed it", is_public=True, author=make_staff())
    assert [m.to for m in mail.outbox] == [["ann@acme.example"]]
    assert "We fixed it" in mail.outbox[0].body
    assert issue.events.filter(kind="notified").exists()
