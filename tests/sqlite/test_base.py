"""A closed SQLite connection is handed to the next thread instead of being opened anew, but only
when it is idle and still points at the same database file."""

import os
import sqlite3
import threading

import pytest

from tierline.sqlite import base


@pytest.fixture
def database(tmp_path, django_db_blocker):
    def wrapper():
        return base.DatabaseWrapper({
            "ENGINE": "tierline.sqlite", "NAME": str(tmp_path / "db.sqlite3"), "OPTIONS": {"timeout": 5},
            "ATOMIC_REQUESTS": False, "AUTOCOMMIT": True, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False,
            "TIME_ZONE": None, "USER": "", "PASSWORD": "", "HOST": "", "PORT": "", "TEST": {},
        }, alias="pooled")

    with django_db_blocker.unblock():
        yield wrapper
    base._idle.pop(str(tmp_path / "db.sqlite3"), None)


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
