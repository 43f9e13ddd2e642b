"""Django settings. The only module that reads the environment (see docs/ARCHITECTURE.md).

Every knob is a TIERLINE_* variable (or a conventional DATABASE_URL / REDIS_URL) with a
default that gives a working embedded install: SQLite and a SQLite-backed task queue in
the data directory.
"""

import os
import secrets
from pathlib import Path

import dj_database_url


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


DATA_DIR = Path(_env("TIERLINE_DATA_DIR", ".tierline")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use TIERLINE_SECRET_KEY, or one generated once and kept in the data directory."""
    configured = _env("TIERLINE_SECRET_KEY")
    if configured:
        return configured
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("TIERLINE_DEBUG", False)
ALLOWED_HOSTS = [h.strip() for h in _env("TIERLINE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in _env("TIERLINE_CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]
BASE_URL = _env("TIERLINE_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "huey.contrib.djhuey",
    "tierline.accounts",
    "tierline.customers",
    "tierline.audit",
    "tierline.issues",
    "tierline.portal",
    "tierline.triage",
    "tierline.escalation",
    "tierline.intake",
    "tierline.metrics",
    "tierline.calls",
    "tierline.conversations",
    "tierline.probes",
    "tierline.insights",
    "tierline.availability",
    "tierline.planning",
    "tierline.feedback",
    "tierline.knowledge",
    "tierline.notify",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tierline.audit.context.RequestOriginMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tierline.accounts.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "tierline.urls"
WSGI_APPLICATION = "tierline.wsgi.application"
ASGI_APPLICATION = "tierline.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = _env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Under ASGI each HTTP request runs on a thread of its own, so a persistent connection is
        # never reused and every request would start a server process: Django's pool (psycopg_pool)
        # hands connections from thread to thread instead. Pooling requires CONN_MAX_AGE 0.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {"min_size": 2, "max_size": 20, "timeout": 20}
else:
    DATABASES = {
        "default": {
            # Django's SQLite backend, keeping closed connections for the next request thread.
            "ENGINE": "tierline.sqlite",
            "NAME": DATA_DIR / "tierline.sqlite3",
            # WAL lets the web server and the worker read while one of them writes.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = _env("TIERLINE_TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [Path(__file__).parent / "static"]
MEDIA_ROOT = DATA_DIR / "attachments"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Without collected files (tests, a fresh checkout) WhiteNoise serves from the app folders.
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Served over HTTPS (directly or behind a TLS proxy) unless told otherwise: cookies are HTTPS-only
# and HSTS is sent. TIERLINE_PLAIN_HTTP=1 is for trying Tierline locally over http:// (`make run`
# sets it); debug mode implies it.
PLAIN_HTTP = _env_bool("TIERLINE_PLAIN_HTTP", DEBUG)
SESSION_COOKIE_SECURE = not PLAIN_HTTP
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# Minutes an unmask of personal data lasts once granted.
UNMASK_MINUTES = _env_int("TIERLINE_UNMASK_MINUTES", 30)
# Take the client address for the audit trail from X-Forwarded-For, and whether the request came
# over HTTPS from X-Forwarded-Proto: only behind your own proxy, which sets both.
TRUST_FORWARDED_FOR = _env_bool("TIERLINE_TRUST_FORWARDED_FOR", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if TRUST_FORWARDED_FOR:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_AGE = _env_int("TIERLINE_SESSION_SECONDS", 12 * 3600)
if SESSION_COOKIE_SECURE:
    # Served over HTTPS: browsers must not come back over plain HTTP (sent on HTTPS answers only).
    SECURE_HSTS_SECONDS = _env_int("TIERLINE_HSTS_SECONDS", 365 * 24 * 3600)
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# Login throttling: this many failures for one account from one address lock it out for a while.
LOGIN_MAX_FAILURES = _env_int("TIERLINE_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_SECONDS = _env_int("TIERLINE_LOGIN_LOCKOUT_SECONDS", 15 * 60)

# Issues
DEMO_ISSUES = _env_int("TIERLINE_DEMO_ISSUES", 2500)  # how many issues the first-run demo seeds
ISSUE_KEY_PREFIX = _env("TIERLINE_ISSUE_KEY_PREFIX", "TL")
# The live-debugging demo (`make run` sets TIERLINE_DEMO_PORTAL=1): `tierline run` starts the
# example portal (examples/portal) beside itself with the agent attached, on this port; the demo
# agent token's secret is kept in this file of the data directory for it.
DEMO_PORTAL = _env_bool("TIERLINE_DEMO_PORTAL", False)
DEMO_PORTAL_PORT = _env_int("TIERLINE_DEMO_PORTAL_PORT", 8100)
DEMO_AGENT_TOKEN_FILE = DATA_DIR / "demo-agent-token"
MAX_ATTACHMENT_BYTES = _env_int("TIERLINE_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
# Django refuses bigger bodies before a view sees them; the attachment limit is checked
# by the action so the user gets a 413 with a clear message instead.
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_ATTACHMENT_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Background work: Huey on SQLite in the data directory, or Redis when configured.
REDIS_URL = _env("REDIS_URL")
# The cache holds login throttling counts: shared through Redis when there is one.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": "tierline"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
HUEY_IMMEDIATE = _env_bool("TIERLINE_TASKS_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": _env("TIERLINE_QUEUE_NAME", "tierline"),
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
        "utc": True,
    }
else:
    HUEY = {
        "huey_class": "tierline.queue.SqliteHuey",  # no disk flush per task (see queue.py)
        "name": "tierline",
        "filename": str(DATA_DIR / "queue.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
        "utc": True,
    }

# Mail: written to files in the data directory unless an SMTP server is configured.
EMAIL_HOST = _env("TIERLINE_SMTP_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = _env_int("TIERLINE_SMTP_PORT", 25)
    EMAIL_HOST_USER = _env("TIERLINE_SMTP_USER")
    EMAIL_HOST_PASSWORD = _env("TIERLINE_SMTP_PASSWORD")
    EMAIL_USE_TLS = _env_bool("TIERLINE_SMTP_STARTTLS", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "outbox"
DEFAULT_FROM_EMAIL = _env("TIERLINE_SUPPORT_ADDRESS", "support@tierline.localhost")

# Intake: inbound mail and monitoring alerts.
INTAKE_ADDRESSES = [
    a.strip().lower() for a in _env("TIERLINE_INTAKE_ADDRESSES", DEFAULT_FROM_EMAIL).split(",") if a.strip()
]
SMTPD_HOST = _env("TIERLINE_SMTPD_HOST", "127.0.0.1")
SMTPD_PORT = _env_int("TIERLINE_SMTPD_PORT", 2525)
MAIL_MAX_BYTES = _env_int("TIERLINE_MAIL_MAX_BYTES", 25 * 1024 * 1024)
MAIL_LOOP_LIMIT = _env_int("TIERLINE_MAIL_LOOP_LIMIT", 20)  # messages per sender per hour
ALERT_MAX_BYTES = _env_int("TIERLINE_ALERT_MAX_BYTES", 1024 * 1024)
ALERT_FLAP_WINDOW = _env_int("TIERLINE_ALERT_FLAP_WINDOW", 3600)  # seconds
ALERT_FLAP_LIMIT = _env_int("TIERLINE_ALERT_FLAP_LIMIT", 4)  # state changes in the window
# A new issue at least this similar (percent) to one linked to a problem joins that problem; 0: off.
PROBLEM_AUTOLINK_PERCENT = _env_int("TIERLINE_PROBLEM_AUTOLINK_PERCENT", 0)
# "Tell N customers" on a shipped feature request also resolves the issues it replies on.
FEATURE_REQUEST_RESOLVE_ON_TELL = _env_bool("TIERLINE_FEATURE_REQUEST_RESOLVE_ON_TELL", True)
IMAP_HOST = _env("TIERLINE_IMAP_HOST")  # unset: no mailbox polling
IMAP_PORT = _env_int("TIERLINE_IMAP_PORT", 993 if _env_bool("TIERLINE_IMAP_SSL", True) else 143)
IMAP_SSL = _env_bool("TIERLINE_IMAP_SSL", True)
IMAP_USER = _env("TIERLINE_IMAP_USER")
IMAP_PASSWORD = _env("TIERLINE_IMAP_PASSWORD")
IMAP_FOLDER = _env("TIERLINE_IMAP_FOLDER", "INBOX")

# Business metrics: points per request and body size, and the anomaly detector's threshold (a
# robust z-score) and persistence ("k/n": k of the last n points outside open an anomaly).
METRIC_MAX_POINTS = _env_int("TIERLINE_METRIC_MAX_POINTS", 1000)
METRIC_MAX_BYTES = _env_int("TIERLINE_METRIC_MAX_BYTES", 1024 * 1024)
METRIC_THRESHOLD = float(_env("TIERLINE_METRIC_THRESHOLD", "4"))
METRIC_PERSISTENCE = tuple(int(x) for x in _env("TIERLINE_METRIC_PERSISTENCE", "3/6").split("/", 1))
METRIC_RECOVERY_MINUTES = _env_int("TIERLINE_METRIC_RECOVERY_MINUTES", 240)  # back to normal this long resolves it
METRIC_REST_MINUTES = _env_int("TIERLINE_METRIC_REST_MINUTES", 720)  # after a recovery, no new anomaly this long

# Phone calls: the country of numbers written without one (+1 415 555 0100 vs 415 555 0100), and
# the largest body a phone line's webhook may send (Twilio's status callbacks are about 1 KiB).
PHONE_REGION = _env("TIERLINE_PHONE_REGION", "US").upper()
CALL_WEBHOOK_MAX_BYTES = _env_int("TIERLINE_CALL_WEBHOOK_MAX_BYTES", 64 * 1024)

# Conversations (in-app chat): websockets through Django Channels. Its channel layer is in memory
# for one process, Redis when configured so that every web process reaches every open widget.
# A desk page watching many conversations gets bursts: the layers' default of 100 queued messages
# per socket would drop some.
if REDIS_URL:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                  "CONFIG": {"hosts": [REDIS_URL], "prefix": "tierline-chat", "capacity": 2000}}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "tierline.conversations.layers.InMemoryChannelLayer",
                                  "CONFIG": {"capacity": 2000}}}
CHAT_AWAY_MINUTES = _env_int("TIERLINE_CHAT_AWAY_MINUTES", 5)  # no open widget this long: replies go by email
CHAT_IDENTITY_MAX_SECONDS = _env_int("TIERLINE_CHAT_IDENTITY_MAX_SECONDS", 24 * 3600)  # longest accepted expiry
CHAT_SCREENSHOT_MAX_BYTES = _env_int("TIERLINE_CHAT_SCREENSHOT_MAX_BYTES", 5 * 1024 * 1024)
CHAT_ANONYMOUS_LIMIT = _env_int("TIERLINE_CHAT_ANONYMOUS_LIMIT", 10)  # messages per address per 10 minutes
# Threads that run the chat sockets' database work (SQLite still writes one at a time).
CHAT_DATABASE_THREADS = _env_int("TIERLINE_CHAT_DATABASE_THREADS", 4)

# Live debugging (tierline.probes): how long hits are kept, the longest a probe may live, the
# largest hit batch an agent may post, how often a web process checks the probe sets its held long
# polls wait on when there is no Redis to tell it (milliseconds), how many threads do the long
# polls' database work, and how long after its last call an agent instance counts as live.
PROBE_HIT_RETENTION_DAYS = _env_int("TIERLINE_PROBE_HIT_RETENTION_DAYS", 14)
PROBE_MAX_TTL_SECONDS = _env_int("TIERLINE_PROBE_MAX_TTL_SECONDS", 7 * 24 * 3600)
PROBE_HITS_MAX_BYTES = _env_int("TIERLINE_PROBE_HITS_MAX_BYTES", 8 * 1024 * 1024)
PROBE_POLL_CHECK_MS = _env_int("TIERLINE_PROBE_POLL_CHECK_MS", 200)
PROBE_POLL_DATABASE_THREADS = _env_int("TIERLINE_PROBE_POLL_DATABASE_THREADS", 4)
AGENT_LIVE_SECONDS = _env_int("TIERLINE_AGENT_LIVE_SECONDS", 90)

# Escalation ladder: the names of tiers 1 to 5, the first engineering tier (escalating into it
# needs evidence and the component's questionnaire), and where "page the on-call engineer" goes
# when the issue's team has no on-call contact of its own.
TIER_NAMES = [
    n.strip() for n in _env("TIERLINE_TIER_NAMES", "Support,Support,Operations,Engineering,Engineering").split(",")
][:5]
TIER_NAMES += ["Engineering"] * (5 - len(TIER_NAMES))
ENGINEERING_TIER = _env_int("TIERLINE_ENGINEERING_TIER", 3)
ONCALL_EMAIL = _env("TIERLINE_ONCALL_EMAIL")
ONCALL_WEBHOOK_URL = _env("TIERLINE_ONCALL_WEBHOOK_URL")
SLA_WARNING_RATIO = 0.75  # warnings at 75% of a target, breaches at 100%

# Closing the loop (tierline.notify): whether a shipped fix resolves its linked issues (a problem's
# own choice overrides it), how long a satisfaction link stays valid, and outgoing webhooks' limits.
RESOLVE_ON_FIX = _env_bool("TIERLINE_RESOLVE_ON_FIX", True)
SATISFACTION_SURVEY = _env_bool("TIERLINE_SATISFACTION_SURVEY", True)  # a rating link when an issue is resolved
SATISFACTION_LINK_DAYS = _env_int("TIERLINE_SATISFACTION_LINK_DAYS", 30)
WEBHOOK_TIMEOUT_SECONDS = float(_env("TIERLINE_WEBHOOK_TIMEOUT_SECONDS", "5"))
WEBHOOK_MAX_RESPONSE_BYTES = _env_int("TIERLINE_WEBHOOK_MAX_RESPONSE_BYTES", 4096)  # read of an endpoint's answer
# Outgoing webhooks go to public addresses only, so an endpoint cannot make the server post into its
# own network (the cloud's metadata service, an admin port); allow private ones for an in-house receiver.
WEBHOOK_ALLOW_PRIVATE = _env_bool("TIERLINE_WEBHOOK_ALLOW_PRIVATE", False)
# Availability: the objective (percent per month) of each plan until an admin sets one, of a
# component without its own, and the lowest alert level that opens an outage (critical, error,
# warning or info; alerts of that level or worse do).
AVAILABILITY_PLAN_OBJECTIVES = {
    plan.strip(): target.strip() for plan, _, target in (
        item.partition("=") for item in _env(
            "TIERLINE_AVAILABILITY_PLAN_OBJECTIVES", "free=99.0,team=99.5,business=99.9,enterprise=99.95",
        ).split(",") if "=" in item)
}
AVAILABILITY_COMPONENT_OBJECTIVE = _env("TIERLINE_AVAILABILITY_COMPONENT_OBJECTIVE", "99.9")
OUTAGE_ALERT_LEVEL = _env("TIERLINE_OUTAGE_ALERT_LEVEL", "critical").strip().lower()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": _env("TIERLINE_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
