import threading

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from django.db import connections

from tierline.conversations.pool import close_pool


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    # The in-memory layer's queues belong to one event loop; each test runs its own.
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
    close_pool()  # the chat pool's threads hold connections to the test database


def run_async(coroutine_function, *args):
    """Run a websocket scenario on an event loop of its own thread: the browser tests' Playwright
    keeps a loop running in the main thread for the whole session, where async_to_sync refuses.
    Database work of the scenario runs in that thread too, on its own connection (closed after)."""
    outcome = {}

    def target():
        try:
            outcome["value"] = async_to_sync(coroutine_function)(*args)
        except BaseException as error:  # re-raised in the test's thread
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=120)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
