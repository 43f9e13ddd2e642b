"""A closed SQLite connection is handed to the next thread instead of being opened anew, but only
when it is idle and still points at the same database file; writers of one process take turns
before BEGIN IMMEDIATE."""

import os
import sqlite3
import threading

import pytest

from tierline.sqlite import base


@pytest.fixture
def database(tmp_path, django_db_blocker):
    def wrapper():
        return base.DatabaseWrapper({
            "ENGINE": "tierline.sqlite", "NAME": str(tmp_path / "db.sqlite3"),
            "OPTIONS": {"timeout": 5, "transaction_mode": "IMMEDIATE"},
            "ATOMIC_REQUESTS": False, "AUTOCOMMIT": True, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False,
            "TIME_ZONE": None, "USER": "", "PASSWORD": "", "HOST": "", "PORT": "", "TEST": {},
        }, alias="pooled")

    with django_db_blocker.unblock():
        yield wrapper
    base._idle.pop(str(tmp_path / "db.sqlite3"), None)
    base._turns.pop(str(tmp_path / "db.sqlite3"), None)


def _on_a_thread(func):
    result = []
    thread = threading.Thread(target=lambda: result.append(func()))
    thread.start()
    thread.join()
    return result[0]


def _opened_and_closed(wrapper):
    wrapper.ensure_connection()
    raw = wrapper.connection
    wrapper.close()
    return raw


def test_the_next_thread_gets_the_closed_connection_with_its_settings(database):
    first = _on_a_thread(lambda: _opened_and_closed(database()))

    def read():
        second = database()
        with second.cursor() as cursor:
            cursor.execute("PRAGMA foreign_keys")
            found = second.connection, cursor.fetchone()[0]
        second.close()
        return found

    raw, foreign_keys = _on_a_thread(read)
    assert raw is first
    assert foreign_keys == 1


def test_a_connection_closed_inside_a_transaction_is_not_kept(database):
    wrapper = database()
    wrapper.ensure_connection()
    raw = wrapper.connection
    raw.execute("BEGIN")
    raw.execute("CREATE TABLE t (x)")
    wrapper.close()
    assert not base._idle.get(wrapper.settings_dict["NAME"])
    assert _opened_and_closed(database()) is not raw


def test_a_replaced_database_file_gets_a_new_connection(database, tmp_path):
    raw = _opened_and_closed(database())
    sqlite3.connect(tmp_path / "new.sqlite3").close()
    os.replace(tmp_path / "new.sqlite3", tmp_path / "db.sqlite3")  # as a restore from a backup would
    fresh = database()
    fresh.ensure_connection()
    assert fresh.connection is not raw
    fresh.close()


def _begin(wrapper):
    # What transaction.atomic() does on SQLite: BEGIN IMMEDIATE under autocommit.
    wrapper.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def _end(wrapper, finish):
    finish()
    wrapper.set_autocommit(True)


def test_a_second_writer_waits_its_turn_and_starts_when_the_first_commits(database):
    first_inside, go, second_done = threading.Event(), threading.Event(), threading.Event()
    rows = []

    def first():
        wrapper = database()
        with wrapper.cursor() as cursor:
            cursor.execute("CREATE TABLE message (body TEXT)")
        _begin(wrapper)
        with wrapper.cursor() as cursor:
            cursor.execute("INSERT INTO message VALUES ('first')")
        first_inside.set()
        go.wait(5)
        _end(wrapper, wrapper.commit)
        wrapper.close()

    def second():
        first_inside.wait(5)
        wrapper = database()
        _begin(wrapper)
        with wrapper.cursor() as cursor:
            cursor.execute("INSERT INTO message VALUES ('second')")
            cursor.execute("SELECT body FROM message ORDER BY rowid")
            rows.extend(r[0] for r in cursor.fetchall())
        _end(wrapper, wrapper.commit)
        wrapper.close()
        second_done.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_inside.wait(5)
    assert not second_done.wait(0.2)  # waiting for the first writer, which holds the turn
    go.set()
    for thread in threads:
        thread.join(10)
    assert rows == ["first", "second"]
    assert not base._turns[database().settings_dict["NAME"]].locked()


@pytest.mark.parametrize("how", ["rollback", "close"])
def test_a_writer_that_rolls_back_or_closes_midway_gives_up_its_turn(database, how):
    wrapper = database()
    _begin(wrapper)
    turn = base._turns[wrapper.settings_dict["NAME"]]
    assert turn.locked()
    if how == "rollback":
        _end(wrapper, wrapper.rollback)
    else:
        wrapper.close()
    assert not turn.locked()


def test_a_forked_child_opens_its_own_connection_and_never_waits_for_the_parents_writer(database):
    parent = database()
    kept = _on_a_thread(lambda: _opened_and_closed(database()))
    parent.ensure_connection()
    with parent.cursor() as cursor:
        parent.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        cursor.execute("SELECT 1")  # the parent holds its writer turn across the fork
        pid = os.fork()
        if pid == 0:  # the child: exit code 0 only if it behaves
            child = database()
            child.ensure_connection()
            took_the_parents = child.connection is kept
            could_take_a_turn = base._writer_turn(child.settings_dict["NAME"]).acquire(timeout=1)
            os._exit(0 if could_take_a_turn and not took_the_parents else 1)
        _, status = os.waitpid(pid, 0)
        parent.rollback()
        parent.set_autocommit(True)
    parent.close()
    assert os.waitstatus_to_exitcode(status) == 0
