"""Waking the agents' held long polls when their service's probe set changes.

Each event loop of a web process has one `ProbeSetHub`. A long poll registers a waiter (service,
the version it has) and awaits a future; nothing holds a thread or a database connection while
it waits. Three paths wake waiters, each one only when the version moved past the waiter's:

- in process: `announce_probe_set` runs after the probe write commits (`transaction.on_commit`)
  and hands the new version to every hub of this process (`call_soon_threadsafe`);
- across processes with Redis (`REDIS_URL`): the same call publishes on a Redis channel, and each
  hub listens to it;
- without Redis (or when a message is lost): while a hub has waiters it reads the versions of
  their services every `TIERLINE_PROBE_POLL_CHECK_MS` (one query for all of the process's
  waiters; every 5 s with Redis, as a safety net).
"""

import asyncio
import contextlib
import json
import logging
import weakref
from collections.abc import Awaitable, Callable

from django.conf import settings

log = logging.getLogger(__name__)
CHANNEL = "tierline-probe-sets"
REDIS_SAFETY_CHECK_SECONDS = 5.0

_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ProbeSetHub]" = weakref.WeakKeyDictionary()
_publisher = None


def announce_probe_set(service: str, version: int) -> None:
    """Tell every waiter, in this process and (with Redis) in every other, that `service`'s probe
    set is at `version`. Never raises: a lost announcement only delays a wake-up to the next check."""
    for loop, hub in list(_hubs.items()):
        if not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(hub.changed, service, version)
    if settings.REDIS_URL:
        global _publisher
        try:
            if _publisher is None:
                import redis

                _publisher = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
            _publisher.publish(CHANNEL, json.dumps({"service": service, "version": version}))
        except Exception:  # noqa: BLE001 - the periodic check still finds the change
            log.warning("could not publish a probe set change", exc_info=True)


RunDb = Callable[..., Awaitable]


class ProbeSetHub:
    """The waiters of one event loop. `read_versions(services) -> {service: version}` runs through
    `run_db` (a thread pool: database work never runs on the loop)."""

    def __init__(self, loop, read_versions: Callable[[list[str]], dict], run_db: RunDb,
                 check_seconds: float, redis_url: str = ""):
        self.loop, self.read_versions, self.run_db = loop, read_versions, run_db
        self.check_seconds = REDIS_SAFETY_CHECK_SECONDS if redis_url else check_seconds
        self.redis_url = redis_url
        self.waiters: dict[str, list[tuple[int, asyncio.Future]]] = {}
        self.latest: dict[str, int] = {}  # the newest version heard of, per service
        self._checker: asyncio.Task | None = None
        self._listener: asyncio.Task | None = None

    def changed(self, service: str, version: int) -> None:
        if version > self.latest.get(service, -1):
            self.latest[service] = version
        for known, future in self.waiters.get(service, ()):
            if version > known and not future.done():
                future.set_result(version)

    async def wait(self, service: str, known: int, timeout: float) -> bool:
        """True as soon as `service`'s version is past `known`, False after `timeout` seconds."""
        if self.latest.get(service, -1) > known:
            return True
        future = self.loop.create_future()
        entry = (known, future)
        self.waiters.setdefault(service, []).append(entry)
        self._start()
        try:
            await asyncio.wait_for(future, timeout)
            return True
        except TimeoutError:
            return False
        finally:
            entries = self.waiters.get(service, [])
            if entry in entries:
                entries.remove(entry)
            if not entries:
                self.waiters.pop(service, None)

    def _start(self) -> None:
        if self._checker is None or self._checker.done():
            self._checker = self.loop.create_task(self._check())
        if self.redis_url and (self._listener is None or self._listener.done()):
            self._listener = self.loop.create_task(self._listen())

    async def _check(self) -> None:
        while self.waiters:
            await asyncio.sleep(self.check_seconds)
            services = list(self.waiters)
            if not services:
                break
            try:
                versions = await self.run_db(self.read_versions, services)
            except Exception:  # noqa: BLE001 - a failed check is retried at the next tick
                log.warning("could not read probe set versions", exc_info=True)
                continue
            for service, version in versions.items():
                self.changed(service, version)

    async def _listen(self) -> None:
        import redis.asyncio as aioredis

        client = aioredis.Redis.from_url(self.redis_url)
        try:
            async with client.pubsub() as pubsub:
                await pubsub.subscribe(CHANNEL)
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=30)
                    if message and message.get("type") == "message":
                        try:
                            change = json.loads(message["data"])
                            self.changed(str(change["service"]), int(change["version"]))
                        except (ValueError, KeyError, TypeError):
                            continue
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - fall back on the periodic check
            log.warning("probe set listener stopped; checking every %.2f s instead", self.check_seconds,
                        exc_info=True)
            self.check_seconds = settings.PROBE_POLL_CHECK_MS / 1000
        finally:
            await client.aclose()


def hub_for_running_loop(read_versions, run_db: RunDb) -> ProbeSetHub:
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = ProbeSetHub(loop, read_versions, run_db, settings.PROBE_POLL_CHECK_MS / 1000,
                                        settings.REDIS_URL)
    return hub
