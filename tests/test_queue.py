"""The task queue on SQLite keeps tasks as the database keeps rows: WAL, no disk flush per task."""

from tierline.queue import SqliteHuey


def test_the_sqlite_queue_is_as_durable_as_the_database(tmp_path):
    huey = SqliteHuey("tierline-test", filename=str(tmp_path / "queue.sqlite3"))
    connection = huey.storage.conn
    assert connection.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert connection.execute("pragma synchronous").fetchone()[0] == 1  # NORMAL
    huey.storage.enqueue(b"task")
    assert huey.storage.dequeue() == b"task"
    huey.storage.close()
