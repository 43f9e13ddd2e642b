"""Async scenarios in tests run on an event loop of their own thread: the browser tests' Playwright
keeps a loop running in the main thread for the whole session, where asyncio.run and async_to_sync
refuse."""

import threading

from asgiref.sync import async_to_sync
from django.db import connections


def run_async(coroutine_function, *args):
    """Run `coroutine_function(*args)` to its end in a thread of its own and return its value.
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
