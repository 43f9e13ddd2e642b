"""Work that must not run on the tests' thread: the browser tests' Playwright keeps an event loop
running there for the whole session, where asyncio.run and async_to_sync refuse."""

import threading

from asgiref.sync import async_to_sync
from django.db import connections


def in_own_thread(function, *args, timeout: float = 120):
    """Run `function(*args)` in a thread of its own and return its value (its error is raised here).
    Database work runs in that thread too, on its own connection (closed after)."""
    outcome = {}

    def target():
        try:
            outcome["value"] = function(*args)
        except BaseException as error:  # re-raised in the test's thread
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=timeout)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def run_async(coroutine_function, *args):
    """Run `coroutine_function(*args)` to its end on an event loop of its own thread."""
    return in_own_thread(async_to_sync(coroutine_function), *args)
