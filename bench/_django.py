"""Start Django for a benchmark: a throwaway data directory, SQLite or the given (wiped) PostgreSQL
database, migrated and emptied. Shared by every server benchmark in this folder."""

import os
import sys
import tempfile
from pathlib import Path


def setup_django(database_url: str | None, *, tasks_immediate: bool = True) -> None:
    os.environ["TIERLINE_DATA_DIR"] = tempfile.mkdtemp(prefix="tierline-bench-")
    os.environ["TIERLINE_TASKS_IMMEDIATE"] = "1" if tasks_immediate else "0"
    os.environ["TIERLINE_ALLOWED_HOSTS"] = "testserver"  # Django's test client, used to time pages
    os.environ["TIERLINE_LOG_LEVEL"] = "WARNING"
    os.environ.pop("DATABASE_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "tierline.settings"
    sys.path.insert(0, str(Path(__file__).parent.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
