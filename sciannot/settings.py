"""Django settings for sciannot, read from environment variables.

Every setting has a safe development default so that `manage.py` run by hand sees the same
configuration as `make run`: SQLite, media and the task broker's folders all live under
`var/` in the checkout. Production sets `DATABASE_URL`, `REDIS_URL`, `DJANGO_SECRET_KEY`, ...
(see `.env.example`); without them the app never reaches for a server that happens to run
on the machine.

Every variable is read through `sciannot.env`: unset and blank mean the default, and a bad
value stops the start naming the variable. Importing this module writes nothing: the local
folders it names are created when the app starts (`sciannot.apps.SciannotConfig`). The test
suite's overrides live in `tests/settings.py`.

It is longer than the project's other modules and kept whole on purpose: it is declarations
with the reason for each beside it, in sections (database, files, Celery, cache, API,
security, email, application), and the choices early on (DEBUG, STORAGE, REDIS_URL) decide
values in several sections below. One file read top to bottom is the configuration;
`grep SETTING_NAME` finds it in one place.
"""

from __future__ import annotations

import json
from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from sciannot import __version__
from sciannot.env import (
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_parsed,
    env_path,
    env_str,
    env_url,
)
from sciannot.logs import logging_config

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
# The app's version (defined in sciannot/__init__.py), recorded in every release manifest.
SCIANNOT_VERSION = __version__
VAR_DIR = env_path("SCIANNOT_VAR_DIR", BASE_DIR / "var")

DEBUG = env_bool("DJANGO_DEBUG", True)

DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105


def insecure_secret_key_reason(key: str) -> str | None:
    """Why `key` must not sign production sessions, or None: the rules of Django's own
    deployment check (security.W009), so a key this accepts also passes `check --deploy`."""
    if not key:
        return "it is not set"
    if key.startswith("django-insecure-"):
        return "it is a development key (it starts with 'django-insecure-')"
    if len(key) < 50:
        return f"it has {len(key)} characters; use at least 50"
    if len(set(key)) < 5:
        return "it has fewer than 5 different characters"
    return None


SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not DEBUG:
    # A production deployment must never run with a key that is in the repository or that can
    # be guessed: anyone who knows it can forge sessions and password-reset links.
    _key_problem = insecure_secret_key_reason(SECRET_KEY)
    if _key_problem:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off, to a random value of at "
            f"least 50 characters: {_key_problem}. Make one with: python -c 'import secrets; "
            f"print(secrets.token_urlsafe(50))'"
        )
elif not SECRET_KEY:
    SECRET_KEY = DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
# The public base URL that commands print links with. Unset, links point at this machine on
# PORT (what `make run` serves), and the commands say that they guessed.
SITE_URL = env_url("SITE_URL", "")
SITE_URL_SET = bool(SITE_URL)
if not SITE_URL_SET:
    _port = env_int("PORT", 8000, minimum=1, maximum=65535)
    SITE_URL = f"http://127.0.0.1:{_port}"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    # Start-up work: the local folders the settings below name (sciannot.folders).
    "sciannot.apps.SciannotConfig",
    # The admin site refuses evaluators of open blind studies (sciannot.admin_views).
    "sciannot.apps.SciannotAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    # Swagger UI and Redoc as our own static files (/api/docs/, /api/redoc/): no CDN.
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_celery_results",
    "csp",
    "axes",
    "sciannot.accounts",
    "videos",
    "reviews",
    "drafting",
    "releases",
    "baselines",
    "demo",
]

MIDDLEWARE = [
    # First: the request log times everything below it.
    "sciannot.logs.RequestLogMiddleware",
    # The security headers go on every response, the health probe's included; none of these
    # validates the host, and the probe is exempt from the HTTPS redirect (below).
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "sciannot.security.PermissionsPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Before host validation, sessions and sign-in: a container probe speaks plain HTTP to
    # 127.0.0.1.
    "sciannot.health.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # With DEBUG on, the site's 404 page rather than Django's list of URL patterns.
    "sciannot.errors.ErrorPagesMiddleware",
    # Before any view: NUL bytes and absurdly deep JSON answer 400; API 4xx stay JSON.
    "sciannot.input_guard.InputGuardMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so it turns a login refused for too many failures into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sciannot.urls"
WSGI_APPLICATION = "sciannot.wsgi.application"
ASGI_APPLICATION = "sciannot.asgi.application"

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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(env_path("SCIANNOT_SQLITE_PATH", VAR_DIR / "db.sqlite3")),
            # The web process and the worker write at the same time: WAL lets readers proceed
            # during a write, the timeout waits for the lock instead of failing, and IMMEDIATE
            # transactions take the write lock up front so two writers never deadlock.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
            },
            # A file, not :memory:, so a worker process started by a test sees the test data.
            "TEST": {"NAME": str(VAR_DIR / "test-db.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Argon2id first (Django's, with OWASP's parameters: sciannot/hashers.py): a tenth of PBKDF2's
# CPU time per sign-in, and harder to guess on GPUs. The others stay so that older hashes still
# verify; Django rewrites a hash with the first hasher when its owner signs in.
PASSWORD_HASHERS = [
    "sciannot.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Axes first: it refuses a locked-out username + address before a password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# --- Internationalisation -------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
# The clock pages show times on (`2026-12-02 14:05 CET`, sciannot/moments.py); data, files and
# the API keep UTC whatever it is.
TIME_ZONE = env_parsed(
    "DJANGO_TIME_ZONE", "UTC", lambda name: ZoneInfo(name).key, "an IANA time zone name"
)
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# In development, serve straight from the app folders; production runs collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")

STORAGE = env_choice("STORAGE", "local", ["local", "s3"])
# The object store (STORAGE=s3): AWS itself when no endpoint is named.
_s3_bucket = env_str("AWS_STORAGE_BUCKET_NAME", "sciannot")
_s3_region = env_str("AWS_S3_REGION_NAME")
_s3_endpoint = env_url("AWS_S3_ENDPOINT_URL", "") if STORAGE == "s3" else ""
if STORAGE == "local":
    _default_storage: dict[str, object] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }
else:
    _default_storage = {
        "BACKEND": "sciannot.storage.MediaS3Storage",
        "OPTIONS": {
            "bucket_name": _s3_bucket,
            "endpoint_url": _s3_endpoint or None,
            # Where browsers reach the store, when not at endpoint_url (signed URLs name it).
            "public_endpoint_url": env_url("AWS_S3_PUBLIC_ENDPOINT_URL", "") or None,
            "region_name": _s3_region or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            # Media is private: clients get short-lived signed URLs, never public ones.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 900, minimum=1),
            # Signature version 4, which every S3-compatible store and AWS region accepts.
            "signature_version": "s3v4",
            "file_overwrite": False,
        },
    }

STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Who sends video bytes once a request is allowed: "django" (our Range view, the embedded
# default), "nginx" (X-Accel-Redirect to an internal location) or "s3" (a signed URL).
MEDIA_SERVING = env_choice(
    "MEDIA_SERVING", "s3" if STORAGE == "s3" else "django", ["django", "nginx", "s3"]
)
MEDIA_ACCEL_PREFIX = env_str("MEDIA_ACCEL_PREFIX", "/protected-media/")

# Largest upload accepted in one request body outside file uploads.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024


# Browser uploads (videos/uploads): limits on the declared size, checked again on every chunk.
VIDEO_UPLOAD_MAX_BYTES = env_int("VIDEO_UPLOAD_MAX_BYTES", 4 * 1024**3, minimum=1)
DOCUMENT_UPLOAD_MAX_BYTES = env_int("DOCUMENT_UPLOAD_MAX_BYTES", 5 * 1024**2, minimum=1)
# The piece the upload page sends per request, and the most one request may carry (a proxy in
# front must let at least this much through on /videos/uploads/).
UPLOAD_CHUNK_BYTES = env_int("UPLOAD_CHUNK_BYTES", 8 * 1024**2, minimum=1)
UPLOAD_CHUNK_MAX_BYTES = env_int("UPLOAD_CHUNK_MAX_BYTES", 16 * 1024**2, minimum=1)
if UPLOAD_CHUNK_BYTES > UPLOAD_CHUNK_MAX_BYTES:
    raise ImproperlyConfigured(
        f"UPLOAD_CHUNK_BYTES ({UPLOAD_CHUNK_BYTES}) must not exceed UPLOAD_CHUNK_MAX_BYTES "
        f"({UPLOAD_CHUNK_MAX_BYTES}): the server would refuse every chunk the page sends"
    )
# The largest video accepted (import, upload, replace), judged from the container's metadata
# before anything is decoded: pixels per frame (width x height), frame rate, seconds.
VIDEO_MAX_PIXELS = env_int("VIDEO_MAX_PIXELS", 4096 * 2304, minimum=1)
VIDEO_MAX_FPS = env_int("VIDEO_MAX_FPS", 120, minimum=1)
VIDEO_MAX_DURATION = env_int("VIDEO_MAX_DURATION", 4 * 3600, minimum=1)
# An upload nobody sends to for this long is abandoned: its bytes are deleted.
UPLOAD_EXPIRE_HOURS = env_int("UPLOAD_EXPIRE_HOURS", 24, minimum=1)
# With STORAGE=s3, chunks smaller than an S3 part (5 MiB) wait here on disk until they add up.
UPLOAD_BUFFER_DIR = env_path("UPLOAD_BUFFER_DIR", VAR_DIR / "upload-buffers")

# Untrusted input (sciannot/inputs.py): the deepest JSON accepted from a request or a file,
# and the longest text of each kind, enforced alike by imports, the edit form, the API and
# comments (a question of SciVideoBench is at most about 1,000 characters).
INPUT_JSON_MAX_DEPTH = env_int("INPUT_JSON_MAX_DEPTH", 64, minimum=4)
TEXT_LIMITS = {
    "question": env_int("TEXT_LIMIT_QUESTION", 5000, minimum=100),
    "option": env_int("TEXT_LIMIT_OPTION", 1000, minimum=50),
    "rationale": env_int("TEXT_LIMIT_RATIONALE", 10000, minimum=100),
    "comment": env_int("TEXT_LIMIT_COMMENT", 5000, minimum=100),
    "name": env_int("TEXT_LIMIT_NAME", 200, minimum=20),
    "note": env_int("TEXT_LIMIT_NOTE", 1000, minimum=50),
    "description": env_int("TEXT_LIMIT_DESCRIPTION", 20000, minimum=100),
    "cue": env_int("TEXT_LIMIT_CUE", 5000, minimum=100),
}

# --- Celery -----------------------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    # kombu's filesystem transport needs no server. It reads and writes messages in the same
    # folder (in == out); it has no result backend, so results go to the database. The app
    # creates the folders as it starts.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(BROKER_DIR / "control"),
    }
    CELERY_RESULT_BACKEND = "django-db"

CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXTENDED = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = False

# --- Cache ------------------------------------------------------------------------------------

# Shared by all web processes when Redis is there; per process otherwise.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "sciannot",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- REST framework ---------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a request with neither gets 401 and `WWW-Authenticate: Token`.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "sciannot.pagination.QuestionPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # A refusal by the blind-study seal names the studies (`studies`) beside `detail`.
    "EXCEPTION_HANDLER": "sciannot.errors.api_exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "sciannot API",
    "DESCRIPTION": (
        "Questions, reviews and releases of video-reasoning benchmarks. "
        "Authenticate with a session or with `Authorization: Token <key>`."
    ),
    "VERSION": SCIANNOT_VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "sciannot.openapi.add_release_downloads",
    ],
}

# --- Security -----------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A working day; closing the browser does not sign a reviewer out in the middle of a queue.
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 12 * 60 * 60, minimum=1)
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
CSRF_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: pages hand the token to htmx in <body hx-headers>.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Both stay off unless asked for, so a plain-HTTP stack (tests, a laptop) keeps working.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", False)
# The health probe speaks plain HTTP from inside the container or host.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sent by sciannot.security.PermissionsPolicyMiddleware: no page needs these devices.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS preloading is a promise to browser vendors that is slow to take back: it stays an
# explicit choice (DJANGO_SECURE_HSTS_PRELOAD=1), so the deploy check must not demand it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]


def _s3_media_origins() -> list[str]:
    """Where signed media URLs point when the object store serves videos and posters."""
    if STORAGE != "s3":
        return []
    if _s3_endpoint:
        parts = urlsplit(_s3_endpoint)
        return [f"{parts.scheme}://{parts.netloc}"]
    bucket = _s3_bucket
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if _s3_region:
        origins.append(f"https://{bucket}.s3.{_s3_region}.amazonaws.com")
    return origins


# Scripts and styles only from our own static files: no inline <script>, style= or on*=
# handlers anywhere, so injected markup cannot run even if it slipped past escaping.
_MEDIA_ORIGINS = _s3_media_origins()
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *_MEDIA_ORIGINS],
        "media-src": [SELF, "blob:", *_MEDIA_ORIGINS],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Login throttling (django-axes): a username at an address is locked out after this many
# failed sign-ins in a row, for the cool-off; a successful sign-in starts the count again.
AXES_ENABLED = True
# No start-up banner on every command; failures and lockouts are still logged.
AXES_VERBOSE = False
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(
    minutes=env_float("LOGIN_COOLOFF_MINUTES", 15.0, minimum=0.0, above_minimum=True)
)
# Username and address together: someone guessing one account's password does not lock its
# owner out from another place, nor everyone behind the same address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429


# The client's address: REMOTE_ADDR, unless that is one of these proxies (addresses or
# networks, e.g. nginx's); only then is X-Forwarded-For believed, read from the right.
def _networks(value: str) -> list[IPv4Network | IPv6Network]:
    return [ip_network(part.strip(), strict=False) for part in value.split(",") if part.strip()]


TRUSTED_PROXIES: list[IPv4Network | IPv6Network] = env_parsed(
    "DJANGO_TRUSTED_PROXIES",
    [],
    _networks,
    "comma-separated addresses or networks (10.0.0.5, 172.16.0.0/12)",
)
AXES_CLIENT_IP_CALLABLE = "sciannot.security.client_ip"
# Cut to the column axes stores it in: an over-long name is a failed sign-in, not a 500.
AXES_USERNAME_CALLABLE = "sciannot.security.login_username"

# --- Email and invitations ---------------------------------------------------------------------

# Invitations and password resets are emailed. Development prints them on the console.
# An empty variable (as `.env.example` leaves them) means the default.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "sciannot <noreply@localhost>")
# How long an invitation link stays usable.
INVITATION_DAYS = env_int(
    "INVITATION_DAYS", 7, minimum=1, expected="a whole number of days, at least 1"
)

# --- Application ------------------------------------------------------------------------------

# The benchmark that commands and pages use when none is named.
SCIANNOT_DEFAULT_BENCHMARK = env_str("SCIANNOT_DEFAULT_BENCHMARK", "default")

# `plain` text for development, `json` (one object per line on stdout) in production; Celery
# workers and beat use the same configuration (sciannot/celery.py).
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
LOGGING_CONFIG = "sciannot.logs.configure"
LOGGING = logging_config(LOG_FORMAT, env_str("LOG_LEVEL", "INFO"))

# LLM provider used by the drafting pipeline: "openai" (any OpenAI-compatible server) or
# "gemini".
LLM_PROVIDER = env_choice("LLM_PROVIDER", "openai", ["openai", "gemini"])
LLM_BASE_URL = env_str("LLM_BASE_URL")
LLM_API_KEY = env_str("LLM_API_KEY")
LLM_MODEL = env_str("LLM_MODEL")
# Seconds one request may take before it is abandoned (and retried).
LLM_TIMEOUT = env_float("LLM_TIMEOUT", 120.0, above_minimum=True)
# Attempts per call (transient failures and invalid replies), and the first backoff in seconds.
LLM_MAX_ATTEMPTS = env_int("LLM_MAX_ATTEMPTS", 3, minimum=1)
LLM_BACKOFF = env_float("LLM_BACKOFF", 2.0)
# Ask OpenAI-compatible servers to hold replies to the schema (`strict: true`); 0 for a server
# that refuses strict schemas. Replies are validated, with a repair round, either way.
LLM_STRICT_SCHEMA = env_bool("LLM_STRICT_SCHEMA", True)
# Shared by every worker (through the cache, Redis in production); 0 means no limit.
LLM_REQUESTS_PER_MINUTE = env_int("LLM_REQUESTS_PER_MINUTE", 0)
LLM_TOKENS_PER_MINUTE = env_int("LLM_TOKENS_PER_MINUTE", 0)


# Prices in US dollars per million tokens, as JSON: {"model": {"input": 2.5, "output": 10}}.
# A model missing from it has no cost estimate (and a job's cost budget cannot apply).
def _prices(value: str) -> dict[str, dict[str, float]]:
    table = json.loads(value)
    return {
        str(model): {"input": float(price["input"]), "output": float(price["output"])}
        for model, price in table.items()
    }


LLM_PRICES: dict[str, dict[str, float]] = env_parsed(
    "LLM_PRICES",
    {},
    _prices,
    'JSON like {"model": {"input": 2.5, "output": 10}} (US dollars per million tokens)',
)
# Frames sampled from the video and sent as pictures with their times (0 = text only, for
# servers without vision). Gemini can take the whole video file instead.
LLM_FRAMES = env_int("LLM_FRAMES", 8)
LLM_GEMINI_UPLOAD_VIDEO = env_bool("LLM_GEMINI_UPLOAD_VIDEO", False)

# Drafting jobs: stage leases, the watchdog that requeues stages a dead worker held, and the
# budget a job gets unless the curator sets one.
DRAFT_LEASE_SECONDS = env_float("DRAFT_LEASE_SECONDS", 90.0, above_minimum=True)
DRAFT_WATCHDOG_SECONDS = env_float("DRAFT_WATCHDOG_SECONDS", 30.0, above_minimum=True)
DRAFT_MAX_STAGE_ATTEMPTS = env_int("DRAFT_MAX_STAGE_ATTEMPTS", 3, minimum=1)
DRAFT_DEFAULT_MAX_CALLS = env_int("DRAFT_DEFAULT_MAX_CALLS", 60, minimum=1)
# Model evaluation runs: an item's lease (renewed while it is asked), how many items a task
# takes at a time, how many tasks a run keeps in flight, and how often an item whose worker
# died is tried before it counts as failed.
EVAL_LEASE_SECONDS = env_float("EVAL_LEASE_SECONDS", 120.0, above_minimum=True)
EVAL_BATCH_SIZE = env_int("EVAL_BATCH_SIZE", 10, minimum=1)
EVAL_TASKS = env_int("EVAL_TASKS", 8, minimum=1)
EVAL_MAX_ITEM_ATTEMPTS = env_int("EVAL_MAX_ITEM_ATTEMPTS", 3, minimum=1)
# Browser copies: a transcode holds its video for this long, renewed while it makes progress;
# the sweep sends again every copy whose send failed, whose worker died, or whose message
# seems lost.
VIDEO_COPY_LEASE_SECONDS = env_int("VIDEO_COPY_LEASE_SECONDS", 600, minimum=10)
VIDEO_COPY_SWEEP_SECONDS = env_int("VIDEO_COPY_SWEEP_SECONDS", 60, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "drafting-watchdog": {"task": "drafting.watchdog", "schedule": DRAFT_WATCHDOG_SECONDS},
    "evaluations-watchdog": {
        "task": "baselines.evaluation_watchdog",
        "schedule": DRAFT_WATCHDOG_SECONDS,
    },
    "uploads-cleanup": {"task": "videos.cleanup_uploads", "schedule": 3600.0},
    "videos-copy-sweep": {
        "task": "videos.requeue_copies",
        "schedule": float(VIDEO_COPY_SWEEP_SECONDS),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Releases: a freeze of at least this many items runs its quality gate in a second process
# (forked), beside the one that reads and writes the items.
RELEASE_GATE_PROCESS_ITEMS = env_int("RELEASE_GATE_PROCESS_ITEMS", 5000)
