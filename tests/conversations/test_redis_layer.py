"""With Redis, a message published by one web process reaches a widget connected to another."""

import pytest
from channels.layers import channel_layers
from channels.testing.websocket import WebsocketCommunicator

from tests.conftest import require_service
from tests.event_loop import run_async
from tierline.asgi import application
from tierline.conversations.delivery import conversation_group

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_a_reply_from_another_process_reaches_the_widget(settings):
    from channels_redis.core import RedisChannelLayer

    url = require_service("TIERLINE_TEST_REDIS_URL", "Redis")
    config = {"hosts": [url], "prefix": "tierline-chat-test", "capacity": 2000}
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": config}}
    channel_layers.backends.clear()

    async def scenario():
        widget = WebsocketCommunicator(application, "/ws/chat/")
        await widget.connect()
        await widget.send_json_to({"type": "hello"})
        await widget.receive_json_from(timeout=5)
        await widget.send_json_to({"type": "message", "body": "Anyone there?"})
        opened = None
        while opened is None:
            frame = await widget.receive_json_from(timeout=5)
            opened = frame if frame["type"] == "opened" else None
        from tierline.issues.models import Issue

        issue = await Issue.objects.select_related("conversation").aget(pk=int(opened["key"].split("-")[1]))
        other_process = RedisChannelLayer(**config)  # what a second web process holds
        await other_process.group_send(conversation_group(issue.conversation.pk), {
            "type": "chat.message", "message": {"id": 99, "body": "Yes, from process two", "from": "agent"}})
        while True:
            frame = await widget.receive_json_from(timeout=5)
            if frame["type"] == "message" and frame["message"]["id"] == 99:
                break
        await widget.disconnect()
        await other_process.flush()
        return frame

    try:
        assert run_async(scenario)["message"]["body"] == "Yes, from process two"
    finally:
        channel_layers.backends.clear()
