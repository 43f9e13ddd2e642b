"""Django's SQLite backend, with closed connections kept for the next thread (ENGINE "tierline.sqlite").

Under ASGI every HTTP request runs its sync code on a thread of its own, and Django opens a
connection per thread and closes it after the request. On SQLite a new connection costs about
1.5 ms of CPU, most of it SQLite reading the schema again: more than the rest of a chat reply's
request. Here `close()` hands an idle connection (autocommit, no transaction open) to a small
per-process pool for its database file, and the next connect takes it back, as Django's pool does
for PostgreSQL. Django opens SQLite connections with `check_same_thread=False`; a pooled one is
used by one thread at a time. A connection whose file was replaced (another inode), or one made
before a fork, is never handed out, and a child never waits for a writer of its parent.

Writers of one process also take turns in Python before `BEGIN IMMEDIATE`: a writer that finds
the write lock taken waits on a per-file lock and starts the moment the one before it commits,
instead of in SQLite's busy handler, which polls with sleeps growing to 100 ms (seconds of delay
per message once a chat server's threads queue up). Other processes (a worker, `tierline` commands)
still meet at SQLite's own lock, as before; the wait here is bounded by the same busy timeout.
"""

import os
import threading

from django.db.backends.sqlite3 import base

POOL_SIZE = 8

_lock = threading.Lock()
_idle: dict[str, list] = {}  # database path -> [(connection, file identity), ...]
_turns: dict[str, threading.Lock] = {}  # database path -> whose turn it is to write
_inherited: list = []  # a forked child's copies of its parent's idle connections: never used, never closed


def _forget_the_parents_state() -> None:
    # A SQLite connection must not cross a fork (closing the child's copy could checkpoint the
    # parent's WAL), and a lock a parent's thread held at the fork would never be released here.
    global _lock
    _lock = threading.Lock()
    _inherited.extend(_idle.values())
    _idle.clear()
    _turns.clear()


os.register_at_fork(after_in_child=_forget_the_parents_state)


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


class DatabaseWrapper(base.DatabaseWrapper):
    _writer_turn = None  # this file's writer lock, held from BEGIN IMMEDIATE to commit or rollback

    def get_new_connection(self, conn_params):
        if not self.is_in_memory_db():
            connection = _take_idle(str(conn_params["database"]))
            if connection is not None:
                return connection  # foreign_keys and init_command were set when it was opened
        return super().get_new_connection(conn_params)

    def _close(self):
        self._end_writer_turn()
        connection = self.connection
        if (not self.is_in_memory_db() and not self.in_atomic_block and not connection.in_transaction
                and not self.errors_occurred and _give_idle(str(self.settings_dict["NAME"]), connection)):
            return
        super()._close()

    def _start_transaction_under_autocommit(self):
        if self.transaction_mode == "IMMEDIATE" and not self.is_in_memory_db():
            turn = _writer_turn(str(self.settings_dict["NAME"]))
            if turn.acquire(timeout=self.settings_dict["OPTIONS"].get("timeout", 5)):
                self._writer_turn = turn
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._end_writer_turn()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._end_writer_turn()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._end_writer_turn()

    def _end_writer_turn(self):
        turn, self._writer_turn = self._writer_turn, None
        if turn is not None:
            turn.release()


def _writer_turn(path: str):
    with _lock:
        return _turns.setdefault(path, threading.Lock())


def _take_idle(path: str):
    """An idle connection to this very file, or None; stale ones are closed on the way."""
    identity = _file_identity(path)
    with _lock:
        idle = _idle.get(path, [])
        while idle:
            connection, kept_for = idle.pop()
            if identity is not None and kept_for == identity:
                return connection
            connection.close()
    return None


def _give_idle(path: str, connection) -> bool:
    identity = _file_identity(path)
    if identity is None:
        return False
    with _lock:
        idle = _idle.setdefault(path, [])
        if len(idle) >= POOL_SIZE:
            return False
        idle.append((connection, identity))
    return True
