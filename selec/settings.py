"""Settings for SELEC Exchange, read from the environment.

``SELEC_ENV`` selects the mode: ``development`` (the default: embedded database, generated
keys, debug pages with DEBUG=1), ``test`` (as development, never debug) and ``production`` (every secret
and the database must be given; passes ``manage.py check --deploy``).
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from selec.beat_schedule import BEAT_SCHEDULE
from selec.environment import (
    Mode,
    decode_key,
    embedded_database,
    parse_keyring,
    random_django_secret,
    random_key_b64,
    random_keyring,
    read_mode,
    read_secret,
    with_session_settings,
)
from selec.logging_config import logging_config
from selec.openapi_config import SPECTACULAR_SETTINGS as OPENAPI_SETTINGS
from selec.scaling_config import cache_config, replica_database

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SELEC_ENV = read_mode()
PRODUCTION = SELEC_ENV is Mode.PRODUCTION
DEVELOPMENT = SELEC_ENV is Mode.DEVELOPMENT
TESTING = SELEC_ENV is Mode.TEST

# Debug pages only when asked for (DEBUG=1): a demo shows its officers the pages they will meet.
DEBUG = DEVELOPMENT and env.bool("DEBUG", default=False)


def _secret(name: str, generate):  # type: ignore[no-untyped-def]
    return read_secret(name, mode=SELEC_ENV, keys_dir=VAR_DIR / "keys", generate=generate)


SECRET_KEY = _secret("SECRET_KEY", random_django_secret)
# Field encryption (AES-256-GCM): a keyring "id:base64key,..." whose first key encrypts.
FIELD_ENCRYPTION_KEYS = parse_keyring(
    "FIELD_ENCRYPTION_KEYS", _secret("FIELD_ENCRYPTION_KEYS", random_keyring)
)
BLIND_INDEX_KEY = decode_key("BLIND_INDEX_KEY", _secret("BLIND_INDEX_KEY", random_key_b64))
# Which BLIND_INDEX_KEY is in use: raised with each new key, so that the entities' tokens under
# the previous one are known stale and recomputed (`manage.py reindex_entities`).
BLIND_INDEX_KEY_ID = env.int("BLIND_INDEX_KEY_ID", default=1)
AUDIT_CHAIN_KEY = decode_key("AUDIT_CHAIN_KEY", _secret("AUDIT_CHAIN_KEY", random_key_b64))
# The current audit key's name, recorded with what it signs; raised with each new key, the
# previous ones kept as "id:base64key,..." to verify what they signed (docs/operations.md).
AUDIT_CHAIN_KEY_ID = env.str("AUDIT_CHAIN_KEY_ID", default="1")
AUDIT_CHAIN_PREVIOUS_KEYS = (
    parse_keyring("AUDIT_CHAIN_PREVIOUS_KEYS", env.str("AUDIT_CHAIN_PREVIOUS_KEYS"))
    if env.str("AUDIT_CHAIN_PREVIOUS_KEYS", default="")
    else {}
)
if AUDIT_CHAIN_KEY_ID in AUDIT_CHAIN_PREVIOUS_KEYS:
    raise ImproperlyConfigured(
        "AUDIT_CHAIN_KEY_ID names a previous key: give the new key a new id."
    )

if PRODUCTION:
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS is required in production (comma-separated).")
else:
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_totp",
    "two_factor",
    "axes",
    "guardian",
    "rest_framework",
    "django_filters",
    "django_htmx",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "selec.core",
    "partners",
    "taskforces",
    "exchanges",
    "hits",
    "cases",
    "analytics",
    "records",
    "oversight",
    "subjects",
    "products",
    "selec",
]
if not PRODUCTION:
    # The benchmark command (it has no models; it reads every app, so it sits above them all).
    # Not installed in production: it creates and drops databases.
    INSTALLED_APPS.append("bench")

MIDDLEWARE = [
    "selec.core.request_context.RequestContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files stay cacheable; officers' pages and the API do not.
    "selec.core.cache_control.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "selec.core.session_refresh.SessionIdleRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which reads the form body: a body over a limit gets its own page (413/400),
    # and files are parsed by the strict upload handler, never dropped unseen.
    "selec.core.request_limits.RequestLimitsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "selec.core.refusals.RefusedAccessAuditMiddleware",
    "selec.core.timezones.OfficerTimeZoneMiddleware",
    "selec.core.language.OfficerLanguageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "selec.core.access.VerifiedLoginRequiredMiddleware",
    # After the login check: a write is one transaction, answered once per Idempotency-Key.
    "selec.core.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Inside every header-setting middleware: its 429 page gets the same headers as any page.
    "selec.core.login_throttle.LoginAddressSlowDownMiddleware",
    # AxesMiddleware must come last: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "selec.urls"
WSGI_APPLICATION = "selec.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "selec.core.context_processors.navigation",
                "selec.menu.main_menu",
            ],
        },
    },
]

# Django's form templates, with its stock widgets, labels, fields and error lists written in
# Python (the same markup; selec.core.form_rendering).
FORM_RENDERER = "selec.core.form_rendering.FormRenderer"

# --- Database -------------------------------------------------------------------------------
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
elif PRODUCTION:
    raise ImproperlyConfigured("DATABASE_URL is required in production.")
else:
    DATABASES = {"default": embedded_database(VAR_DIR / "pgdata", "selec")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
# Persistent connections: opening one costs PostgreSQL a process per request. Checked before
# reuse, so a connection the server dropped is replaced rather than failing the request.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
# No parallel query in the application's sessions (DATABASE_PARALLEL_WORKERS, default 0): its
# statements are short (a page of fifty, a send), and starting workers for one costs more than
# they save while taking cores from the requests beside it. EXPLAIN ANALYZE at a million
# exchanges, with workers and without: "only unread" for the heavy agency 5.6 -> 0.4 ms, for
# its country's focal point 10.1 -> 0.5, "answered" 14.8 -> 1.7, an observer's overdue
# requests 58 -> 29; the statistics of every year 5.0 -> 4.7 s (docs/performance.md).
SESSION_SETTINGS = {
    "max_parallel_workers_per_gather": env.int("DATABASE_PARALLEL_WORKERS", default=0)
}
DATABASES["default"] = with_session_settings(DATABASES["default"], **SESSION_SETTINGS)
# A read-only replica for the statistics and their exports (selec.db_router, docs/scaling.md).
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = with_session_settings(
        replica_database(env.db("DATABASE_REPLICA_URL"), DATABASES["default"]),
        **SESSION_SETTINGS,
    )
DATABASE_ROUTERS = ["selec.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Audit log anchor -----------------------------------------------------------------------
# Signed heads of the audit chain, appended to a file outside the database (selec.core.audit_anchor),
# so that a log cut at its end does not verify. Production names a path on storage the database
# administrators cannot reach; development keeps one per database under var/; the test mode
# anchors only where a test sets a path.
if env.str("AUDIT_ANCHOR_PATH", default=""):
    AUDIT_ANCHOR_PATH: Path | None = Path(env.str("AUDIT_ANCHOR_PATH"))
elif PRODUCTION:
    raise ImproperlyConfigured("AUDIT_ANCHOR_PATH is required in production.")
elif DEVELOPMENT:
    AUDIT_ANCHOR_PATH = VAR_DIR / "audit-anchor" / f"{DATABASES['default']['NAME']}.log"
else:
    AUDIT_ANCHOR_PATH = None

# --- Authentication -------------------------------------------------------------------------
AUTH_USER_MODEL = "partners.Officer"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, loading the officer with their agency and party.
    "partners.auth.OfficerBackend",
    # No guardian backend: nothing asks ``has_perm(perm, obj)``. The object permissions are
    # stored with guardian and read by the scoped selectors, one indexed join per page
    # (docs/performance.md).
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "two_factor:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "two_factor:login"
TWO_FACTOR_PATCH_ADMIN = False
OTP_TOTP_ISSUER = "SELEC Exchange"
INVITATION_HOURS = env.int("INVITATION_HOURS", default=72)  # how long an invitation link lives
# How long a password reset link works (Django's default is three days).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_MINUTES", default=60) * 60

# Behind TRUSTED_PROXY_COUNT reverse proxies (each appending to X-Forwarded-For), the client
# is the address the outermost one saw (selec.core.request_context.client_address). 0: no proxy,
# REMOTE_ADDR is the client. Lockout, slow-down, throttles and the audit log read that address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT is the number of reverse proxies (0 or more).")

# django-axes: after AXES_FAILURE_LIMIT wrong passwords for a username, that username is locked
# out (from any address) for the cool-off; a directory admin can unlock it sooner. An address
# is never locked out (HQ's officers all come through one proxy): it is slowed down instead
# (selec.core.login_throttle).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 warns that a lockout by username alone lets a guesser rotate usernames: the
# address slow-down (selec.core.login_throttle) is what answers that here, without locking out HQ.
# guardian.W001 asks for guardian's authentication backend, which nothing here consults (see
# AUTHENTICATION_BACKENDS).
SILENCED_SYSTEM_CHECKS = ["axes.W006", "guardian.W001"]
AXES_CLIENT_IP_CALLABLE = "selec.core.request_context.client_address"
# Failed logins from one address beyond LOGIN_ADDRESS_FREE_FAILURES within the window make each
# further attempt from it wait: 1, 2, 4... seconds after the last failure, at most the cap.
LOGIN_ADDRESS_FREE_FAILURES = env.int("LOGIN_ADDRESS_FREE_FAILURES", default=10)
LOGIN_ADDRESS_WINDOW = timedelta(minutes=env.int("LOGIN_ADDRESS_WINDOW_MINUTES", default=15))
LOGIN_ADDRESS_MAX_DELAY_SECONDS = env.int("LOGIN_ADDRESS_MAX_DELAY_SECONDS", default=60)
AXES_USERNAME_CALLABLE = "selec.core.access.login_username"
AXES_LOCKOUT_TEMPLATE = "selec/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Idle timeout: a session ends SESSION_IDLE_MINUTES after the last request. It is saved (and
# so extended) at most once every SESSION_REFRESH_SECONDS, not on every page view
# (selec.core.session_refresh).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Messages stay on the server: one of them shows a newly issued API token once.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# django-guardian: no anonymous user; object permissions only (see partners.services).
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# --- Security headers -----------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # No SECURE_PROXY_SSL_HEADER: Django would believe an X-Forwarded-Proto from anyone. The
    # scheme comes from gunicorn, which takes that header only from FORWARDED_ALLOW_IPS (the
    # proxy's addresses, docker/gunicorn.conf.py).
    # Container health checks and load balancers call /healthz and /readyz over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- Cache and readiness --------------------------------------------------------------------
# CACHE_URL (redis://host:6379/1): the throttles' counts, shared by every process (docs/scaling.md).
CACHES = {"default": cache_config(env.str("CACHE_URL", default=""), required=PRODUCTION)}
# /readyz: a worker's heartbeat, the oldest unsent mail, at most this old; a report kept this long.
READY_WORKER_HEARTBEAT_SECONDS = env.int("READY_WORKER_HEARTBEAT_SECONDS", default=120)
READY_OUTBOX_MAX_AGE_SECONDS = env.int("READY_OUTBOX_MAX_AGE_SECONDS", default=3600)
READY_CACHE_SECONDS = env.float("READY_CACHE_SECONDS", default=0.0 if TESTING else 2.0)

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
# SELEC's working language and the languages of its member states, each named in itself (a
# reader looking for their own language finds it whatever the page's language). Montenegro
# reads Serbian (both scripts), Moldova Romanian. Catalogues in locale/, compiled at build.
LANGUAGES = [
    ("en", "English"),
    ("sq", "Shqip"),
    ("bs", "Bosanski"),
    ("bg", "Български"),
    ("el", "Ελληνικά"),
    ("hu", "Magyar"),
    ("mk", "Македонски"),
    ("ro", "Română"),
    ("sr", "Српски"),
    ("sr-latn", "Srpski (latinica)"),
    ("tr", "Türkçe"),
]
TIME_ZONE = "Europe/Bucharest"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates typed as the region writes them, dd.mm.yyyy, besides ISO (selec/formats/en/formats.py).
FORMAT_MODULE_PATH = ["selec.formats"]

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Outside production, whitenoise serves straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Exchanges ------------------------------------------------------------------------------
MAX_ATTACHMENT_MB = env.int("MAX_ATTACHMENT_MB", default=50)
# Uploads up to the attachment limit (plus form overhead) are accepted by Django itself.
DATA_UPLOAD_MAX_MEMORY_SIZE = (MAX_ATTACHMENT_MB + 1) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# Years after its send at which an exchange carrying personal data is due for its provider's
# review (keep with a reason, or erase); a crime area may set its own (admin, reference data).
PERSONAL_DATA_REVIEW_YEARS = env.int("PERSONAL_DATA_REVIEW_YEARS", default=3)
if not 1 <= PERSONAL_DATA_REVIEW_YEARS <= 50:
    raise ImproperlyConfigured("PERSONAL_DATA_REVIEW_YEARS is a number of years from 1 to 50.")

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
# Without a broker, tasks run in the calling process, so a fresh checkout needs no server.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
# Redis transport, acknowledgements, after-commit publishing: selec/celery_config.py says why.
from selec.celery_config import *  # noqa: E402, F403

# --- Notifications and e-mail ---------------------------------------------------------------
# EMAIL_URL: smtp+tls://user:password@host:587 (django-environ's syntax). It holds the relay's
# password, so production takes it like the other secrets (EMAIL_URL or EMAIL_URL_FILE) and
# refuses to start without it; development prints mail to the console, test keeps it in memory.
if PRODUCTION or env.str("EMAIL_URL", default="") or env.str("EMAIL_URL_FILE", default=""):
    _email_url = _secret("EMAIL_URL", str)  # never generated: given, or ImproperlyConfigured
else:
    _email_url = "consolemail://" if DEVELOPMENT else "memorymail://"
_email = environ.Env.email_url_config(_email_url)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
# Each step of an SMTP conversation waits this long at most; the outbox relay's claims on
# messages outlast ten of them (selec.core.notifications.outbox_claim_lease).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="SELEC Exchange <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address of the site in e-mailed links. In production it defaults to the first host
# name, over HTTPS; give it when that is a wildcard or not the public name.
if PRODUCTION and not env.str("SITE_URL", default=""):
    if ALLOWED_HOSTS[0].startswith(".") or "*" in ALLOWED_HOSTS[0]:
        raise ImproperlyConfigured("SITE_URL is required when ALLOWED_HOSTS starts with a pattern.")
    SITE_URL = f"https://{ALLOWED_HOSTS[0]}"
else:
    SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# The periodic tasks (Celery beat): selec/beat_schedule.py.
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE

# --- REST API -------------------------------------------------------------------------------
# Callers authenticate with a personal token (partners.api_auth) or an OTP-verified session.
# API_THROTTLE_RATE: requests per token (per officer for sessions), "<n>/<second|minute|hour|
# day>"; over it, 429 with Retry-After. Counted in the shared cache (CACHE_URL); a cache that
# does not answer lets requests through (selec.core.api_throttle).
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="120/minute")
_rate_count, _, _rate_period = API_THROTTLE_RATE.partition("/")
# ASCII digits: isdigit() alone passes "²", which int() then refuses.
if not (
    _rate_count.isascii() and _rate_count.isdigit() and _rate_period[:1] in ("s", "m", "h", "d")
):
    raise ImproperlyConfigured('API_THROTTLE_RATE is "<requests>/<second|minute|hour|day>".')
# Hours the answer to a write with an Idempotency-Key is kept for its retries (docs/idempotency.md).
IDEMPOTENCY_KEY_HOURS = env.int("IDEMPOTENCY_KEY_HOURS", default=24)
if IDEMPOTENCY_KEY_HOURS < 1:
    raise ImproperlyConfigured("IDEMPOTENCY_KEY_HOURS is a number of hours, 1 or more.")
REST_FRAMEWORK = {
    # No OPTIONS answers: the schema at /api/schema/ describes every operation, and DRF's
    # metadata would describe a list through serializers some views only choose per request.
    "DEFAULT_METADATA_CLASS": None,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a refusal is 401 with "WWW-Authenticate: Token".
        "partners.api_auth.ApiTokenAuthentication",
        "partners.api_auth.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["selec.core.api_throttle.ApiRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": API_THROTTLE_RATE},
    "EXCEPTION_HANDLER": "selec.core.api_errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON with a nesting limit (selec.core.request_limits): a view that names no parsers of its
    # own still refuses a body nested deep enough to exhaust the stack.
    "DEFAULT_PARSER_CLASSES": [
        "selec.core.api_parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "UNAUTHENTICATED_USER": None,
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# --- OpenAPI --------------------------------------------------------------------------------
# drf-spectacular's description of the API at /api/schema/ and /api/docs/: selec/openapi_config.py.
SPECTACULAR_SETTINGS = OPENAPI_SETTINGS

# --- Logging --------------------------------------------------------------------------------
# LOG_FORMAT: "json" (one object a line for a collector; production's default) or "text" (a
# developer's console). Every line names its request (docs/logging.md), never a URL secret.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")
LOGGING = logging_config(log_format=LOG_FORMAT, level=env.str("LOG_LEVEL", default="INFO"))
# The worker keeps this configuration, not Celery's: JSON too, with task name and id.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
