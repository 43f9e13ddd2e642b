"""Settings for the test suite: the real settings, pointed at a throwaway data directory,
with background tasks run inline and a fast password hasher."""

import os
import tempfile

os.environ.setdefault("TIERLINE_DATA_DIR", tempfile.mkdtemp(prefix="tierline-test-"))
os.environ.setdefault("TIERLINE_TASKS_IMMEDIATE", "1")
os.environ.pop("REDIS_URL", None)  # queue tests start their own worker processes against Redis

from tierline.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
