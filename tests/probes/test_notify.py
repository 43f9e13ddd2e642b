"""Held long polls wake as soon as their service's probe set moves past what they have: in
process on commit, across processes by the periodic check (one read for all waiters)."""

import asyncio
import time

from tests.event_loop import run_async
from tierline.probes.notify import ProbeSetHub, announce_probe_set, hub_for_running_loop


async def _direct(function, *args):
    return function(*args)


def _hub(versions: dict, reads: list, check_seconds: float = 0.05) -> ProbeSetHub:
    def read_versions(services):
        reads.append(sorted(services))
        return {s: versions.get(s, 0) for s in services}

    return ProbeSetHub(asyncio.get_running_loop(), read_versions, _direct, check_seconds)


def test_the_periodic_check_wakes_every_waiter_of_a_changed_service_with_one_read():
    async def scenario():
        versions, reads = {"portal": 3, "billing": 1}, []
        hub = _hub(versions, reads)
        waiters = [asyncio.ensure_future(hub.wait("portal", 3, 5)) for _ in range(50)]
        other = asyncio.ensure_future(hub.wait("billing", 1, 0.3))
        await asyncio.sleep(0.12)
        assert not any(w.done() for w in waiters)
        versions["portal"] = 4
        started = time.monotonic()
        assert all(await asyncio.gather(*waiters))
        assert time.monotonic() - started < 0.5
        assert await other is False  # billing did not change: it times out
        assert all(r == ["billing", "portal"] or r == ["billing"] for r in reads)  # one read per tick for all

    run_async(scenario)


def test_an_announcement_wakes_at_once_and_an_older_version_never_does():
    async def scenario():
        hub = _hub({}, [], check_seconds=60)
        waiter = asyncio.ensure_future(hub.wait("portal", 7, 5))
        await asyncio.sleep(0)
        hub.changed("portal", 6)  # stale news
        await asyncio.sleep(0.05)
        assert not waiter.done()
        hub.changed("portal", 8)
        assert await asyncio.wait_for(waiter, 1) is True
        assert await hub.wait("portal", 7, 1) is True  # heard of 8 already: no wait at all

    run_async(scenario)


def test_announce_from_another_thread_reaches_the_loops_hub():
    async def scenario():
        hub = hub_for_running_loop(lambda services: {s: 0 for s in services}, _direct)
        waiter = asyncio.ensure_future(hub.wait("svc-announce", 0, 5))
        await asyncio.sleep(0)
        await asyncio.to_thread(announce_probe_set, "svc-announce", 1)  # as transaction.on_commit does
        assert await asyncio.wait_for(waiter, 1) is True

    run_async(scenario)


def _counting_reads(versions: dict, reads: list):
    from tierline.probes.longpoll import ServiceProbeSet

    async def run_db(function, service):
        reads.append(service)
        version = versions[service]  # what the database holds when the read begins
        await asyncio.sleep(0.02)
        return ServiceProbeSet(version=version, read_at=time.monotonic(), probes=[])

    return run_db


def test_polls_woken_together_share_one_read_of_the_new_set():
    from tierline.probes.longpoll import ProbeSetCache

    async def scenario():
        versions, reads = {"portal": 3}, []
        cache, run_db = ProbeSetCache(), _counting_reads(versions, reads)
        sets = await asyncio.gather(*(cache.get("portal", 3, run_db) for _ in range(200)))
        assert reads == ["portal"] and all(s is sets[0] for s in sets) and sets[0].version == 3
        assert await cache.get("portal", 3, run_db) is sets[0] and len(reads) == 1  # still fresh
        versions["portal"] = 4
        assert (await cache.get("portal", 4, run_db)).version == 4 and len(reads) == 2

    run_async(scenario)


def test_a_read_begun_before_the_change_is_not_the_answer_and_a_lowered_version_still_answers():
    from tierline.probes.longpoll import ProbeSetCache

    async def scenario():
        versions, reads = {"portal": 3}, []
        cache, run_db = ProbeSetCache(), _counting_reads(versions, reads)
        early = asyncio.ensure_future(cache.get("portal", 3, run_db))
        await asyncio.sleep(0.005)  # that read has begun, at version 3
        versions["portal"] = 4
        assert (await cache.get("portal", 4, run_db)).version == 4 and len(reads) == 2
        assert (await early).version == 3
        # The loop heard of version 9, the database (reset) says 1: two reads, then its answer.
        versions["portal"] = 1
        assert (await cache.get("portal", 9, run_db)).version == 1 and len(reads) == 4

    run_async(scenario)
