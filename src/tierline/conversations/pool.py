"""The chat sockets' database work, on a small pool of threads.

Channels' `database_sync_to_async` runs every consumer's database call on one thread, one after
another, so 200 widgets writing at once wait in one line (HTTP requests already get a thread each
from Django). Here each call takes a free thread of `TIERLINE_CHAT_DATABASE_THREADS`: on PostgreSQL
the writes run side by side; on SQLite they still take turns at the write lock, but reads and the
Python work around them do not wait behind the writes.

A pool thread keeps its database connection for the next call, since opening a SQLite connection
costs about 2 ms of CPU; a connection that failed, or is older than a configured CONN_MAX_AGE, is
closed as Django closes it after a request.
"""

import gc
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import SyncToAsync
from django.conf import settings
from django.db import connections

_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=max(1, settings.CHAT_DATABASE_THREADS),
                                   thread_name_prefix="chat-database")
    return _pool


class _PoolCall(SyncToAsync):
    def thread_handler(self, loop, *args, **kwargs):
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            for connection in connections.all(initialized_only=True):
                if not connection.settings_dict["CONN_MAX_AGE"] and not connection.settings_dict["OPTIONS"].get("pool"):
                    connection.close_at = None  # "0" means per request; a pool thread is not one
                # With a connection pool, closing hands the connection back to it for the next thread.
                connection.close_if_unusable_or_obsolete()


def on_pool(func):
    """`await on_pool(func)(*args)`: run `func` on a pool thread with its database connection."""
    return _PoolCall(func, thread_sensitive=False, executor=_executor())


def close_pool() -> None:
    """Let the threads and their connections go (tests, before their database is dropped); the next
    call starts a new pool."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True)
        gc.collect()  # a finished thread's connections close when collected
