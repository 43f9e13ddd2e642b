import pytest
from channels.layers import channel_layers

from tierline.conversations.pool import close_pool


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    # The in-memory layer's queues belong to one event loop; each test runs its own.
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
    close_pool()  # the chat pool's threads hold connections to the test database
