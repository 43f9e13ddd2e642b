"""The task queue on SQLite (Huey's storage when no Redis is configured), as durable as the
database beside it: WAL with `synchronous=NORMAL`, like `settings.DATABASES`. A crash of the
process loses no task; a power cut may lose the last few queued, as it may the last few database
commits. Huey's own default flushes the disk for every task queued and every task taken, which
cost more than storing an alert payload. Alert payloads whose task is lost are processed by
intake's sweep (`intake.tasks.process_forgotten_alert_payloads`).
"""

from huey import Huey
from huey.storage import SqliteStorage


class _SqliteStorage(SqliteStorage):
    def _create_connection(self):
        connection = super()._create_connection()
        connection.execute("pragma synchronous=NORMAL")
        return connection


class SqliteHuey(Huey):
    storage_class = _SqliteStorage
