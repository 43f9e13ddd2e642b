"""Settings for the test suite: the real settings, pointed at a throwaway data directory,
with background tasks run inline and a fast password hasher."""

import os
import tempfile

os.environ.setdefault("TIERLINE_DATA_DIR", tempfile.mkdtemp(prefix="tierline-test-"))
os.environ.setdefault("TIERLINE_TASKS_IMMEDIATE", "1")
os.environ.pop("REDIS_URL", None)  # queue tests start their own worker processes against Redis

from tierline.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Requests that reach the WSGI application directly (schemathesis) end with Django closing
# connections older than CONN_MAX_AGE, which would close the test session's one connection
# once the suite has run for a minute on PostgreSQL; keep it open for the whole session.
# The test session holds that one connection (its transactions roll back), so no pool here; web
# processes that tests start use the real settings, pool included.
for _database in DATABASES.values():  # noqa: F405
    _database["CONN_MAX_AGE"] = None
    _database.get("OPTIONS", {}).pop("pool", None)
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
