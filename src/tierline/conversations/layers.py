"""The channel layer of a single web process (settings.CHANNEL_LAYERS without Redis).

Channels' in-memory layer walks every channel and every group membership for expired entries on
each send and each receive: with 200 open conversations that walk was about a seventh of the
server's CPU in `bench/chat.py`. Here it walks at most once a second; messages still expire after
`expiry` (60 s) give or take that second, and nothing else changes.
"""

import time

from channels.layers import InMemoryChannelLayer as ChannelsInMemoryChannelLayer

SWEEP_SECONDS = 1.0


class InMemoryChannelLayer(ChannelsInMemoryChannelLayer):
    _swept_at = float("-inf")

    def _clean_expired(self):
        now = time.monotonic()
        if now - self._swept_at >= SWEEP_SECONDS:
            self._swept_at = now
            super()._clean_expired()

    async def flush(self):
        await super().flush()
        self._swept_at = float("-inf")
