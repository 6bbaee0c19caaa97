"""Django settings for sciannot, read from environment variables.

Every setting has a safe development default so that `manage.py` run by hand sees the same
configuration as `make run`: SQLite, media and the task broker's folders all live under
`var/` in the checkout. Production sets `DATABASE_URL`, `REDIS_URL`, `DJANGO_SECRET_KEY`, ...
(see `.env.example`); without them the app never reaches for a server that happens to run
on the machine.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from sciannot.logs import logging_config

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
# The app's version, recorded in every release manifest (kept equal to pyproject.toml's).
SCIANNOT_VERSION = "0.1.0"
VAR_DIR = Path(os.environ.get("SCIANNOT_VAR_DIR") or BASE_DIR / "var")


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


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


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
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
SITE_URL_SET = bool(os.environ.get("SITE_URL", "").strip())
SITE_URL = (
    os.environ["SITE_URL"].strip().rstrip("/")
    if SITE_URL_SET
    else f"http://127.0.0.1:{os.environ.get('PORT', '').strip() or '8000'}"
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
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

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SCIANNOT_SQLITE_PATH", str(VAR_DIR / "db.sqlite3")),
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
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# In development, serve straight from the app folders; production runs collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")

STORAGE = os.environ.get("STORAGE") or "local"
if STORAGE == "local":
    _default_storage: dict[str, object] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }
elif STORAGE == "s3":
    _default_storage = {
        "BACKEND": "sciannot.storage.MediaS3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", "sciannot"),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            # Where browsers reach the store, when not at endpoint_url (signed URLs name it).
            "public_endpoint_url": os.environ.get("AWS_S3_PUBLIC_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            # Media is private: clients get short-lived signed URLs, never public ones.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": int(os.environ.get("AWS_QUERYSTRING_EXPIRE", "900")),
            # Signature version 4, which every S3-compatible store and AWS region accepts.
            "signature_version": "s3v4",
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured(f"STORAGE must be 'local' or 's3', not {STORAGE!r}")

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
MEDIA_SERVING = os.environ.get("MEDIA_SERVING") or ("s3" if STORAGE == "s3" else "django")
if MEDIA_SERVING not in {"django", "nginx", "s3"}:
    raise ImproperlyConfigured(f"MEDIA_SERVING must be django, nginx or s3, not {MEDIA_SERVING!r}")
MEDIA_ACCEL_PREFIX = os.environ.get("MEDIA_ACCEL_PREFIX", "/protected-media/")

# Largest upload accepted in one request body outside file uploads.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


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
UPLOAD_BUFFER_DIR = Path(os.environ.get("UPLOAD_BUFFER_DIR", VAR_DIR / "upload-buffers"))

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

REDIS_URL = os.environ.get("REDIS_URL", "")
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    # kombu's filesystem transport needs no server. It reads and writes messages in the same
    # folder (in == out); it has no result backend, so results go to the database.
    for _sub in ("queue", "processed", "control"):
        (BROKER_DIR / _sub).mkdir(parents=True, exist_ok=True)
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
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
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
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_COOKIE_AGE", str(12 * 60 * 60)))
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
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0"))
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
    endpoint = os.environ.get("AWS_S3_ENDPOINT_URL", "").strip()
    if endpoint:
        parts = urlsplit(endpoint)
        if not parts.scheme or not parts.netloc:
            raise ImproperlyConfigured(
                f"AWS_S3_ENDPOINT_URL must be an absolute URL like https://s3.example.org, "
                f"not {endpoint!r}"
            )
        return [f"{parts.scheme}://{parts.netloc}"]
    bucket = os.environ.get("AWS_STORAGE_BUCKET_NAME", "sciannot")
    region = os.environ.get("AWS_S3_REGION_NAME", "").strip()
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
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
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
# Username and address together: someone guessing one account's password does not lock its
# owner out from another place, nor everyone behind the same address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429


# The client's address: REMOTE_ADDR, unless that is one of these proxies (addresses or
# networks, e.g. nginx's); only then is X-Forwarded-For believed, read from the right.
def _networks(name: str) -> list[IPv4Network | IPv6Network]:
    try:
        return [ip_network(part, strict=False) for part in env_list(name, [])]
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name} must be comma-separated addresses or networks (10.0.0.5, 172.16.0.0/12): {exc}"
        ) from exc


TRUSTED_PROXIES = _networks("DJANGO_TRUSTED_PROXIES")
AXES_CLIENT_IP_CALLABLE = "sciannot.security.client_ip"
# Cut to the column axes stores it in: an over-long name is a failed sign-in, not a 500.
AXES_USERNAME_CALLABLE = "sciannot.security.login_username"

# --- Email and invitations ---------------------------------------------------------------------

# Invitations and password resets are emailed. Development prints them on the console.
# An empty variable (as `.env.example` leaves them) means the default.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = int(os.environ.get("EMAIL_PORT") or "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "sciannot <noreply@localhost>"
# How long an invitation link stays usable.
_invitation_days = os.environ.get("INVITATION_DAYS") or "7"
if not _invitation_days.isdigit() or int(_invitation_days) < 1:
    raise ImproperlyConfigured(
        f"INVITATION_DAYS must be a whole number of days, at least 1, not {_invitation_days!r}"
    )
INVITATION_DAYS = int(_invitation_days)

# --- Application ------------------------------------------------------------------------------

# The benchmark that commands and pages use when none is named.
SCIANNOT_DEFAULT_BENCHMARK = os.environ.get("SCIANNOT_DEFAULT_BENCHMARK", "default")

# `plain` text for development, `json` (one object per line on stdout) in production; Celery
# workers and beat use the same configuration (sciannot/celery.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT") or "plain"
LOGGING_CONFIG = "sciannot.logs.configure"
LOGGING = logging_config(LOG_FORMAT, os.environ.get("LOG_LEVEL") or "INFO")

# LLM provider used by the drafting pipeline: "openai" (any OpenAI-compatible server) or
# "gemini".
LLM_PROVIDER = os.environ.get("LLM_PROVIDER", "openai")
LLM_BASE_URL = os.environ.get("LLM_BASE_URL", "")
LLM_API_KEY = os.environ.get("LLM_API_KEY", "")
LLM_MODEL = os.environ.get("LLM_MODEL", "")
# Seconds one request may take before it is abandoned (and retried).
LLM_TIMEOUT = float(os.environ.get("LLM_TIMEOUT", "120"))
# Attempts per call (transient failures and invalid replies), and the first backoff in seconds.
LLM_MAX_ATTEMPTS = int(os.environ.get("LLM_MAX_ATTEMPTS", "3"))
LLM_BACKOFF = float(os.environ.get("LLM_BACKOFF", "2"))
# Shared by every worker (through the cache, Redis in production); 0 means no limit.
LLM_REQUESTS_PER_MINUTE = int(os.environ.get("LLM_REQUESTS_PER_MINUTE", "0"))
LLM_TOKENS_PER_MINUTE = int(os.environ.get("LLM_TOKENS_PER_MINUTE", "0"))


# Prices in US dollars per million tokens, as JSON: {"model": {"input": 2.5, "output": 10}}.
# A model missing from it has no cost estimate (and a job's cost budget cannot apply).
def _prices(raw: str) -> dict[str, dict[str, float]]:
    try:
        table = json.loads(raw or "{}")
        return {
            str(model): {"input": float(price["input"]), "output": float(price["output"])}
            for model, price in table.items()
        }
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ImproperlyConfigured(
            'LLM_PRICES must be JSON like {"model": {"input": 2.5, "output": 10}} '
            f"(US dollars per million tokens): {exc}"
        ) from exc


LLM_PRICES = _prices(os.environ.get("LLM_PRICES", ""))
# Frames sampled from the video and sent as pictures with their times (0 = text only, for
# servers without vision). Gemini can take the whole video file instead.
LLM_FRAMES = int(os.environ.get("LLM_FRAMES", "8"))
LLM_GEMINI_UPLOAD_VIDEO = env_bool("LLM_GEMINI_UPLOAD_VIDEO", False)

# Drafting jobs: stage leases, the watchdog that requeues stages a dead worker held, and the
# budget a job gets unless the curator sets one.
DRAFT_LEASE_SECONDS = float(os.environ.get("DRAFT_LEASE_SECONDS", "90"))
DRAFT_WATCHDOG_SECONDS = float(os.environ.get("DRAFT_WATCHDOG_SECONDS", "30"))
DRAFT_MAX_STAGE_ATTEMPTS = int(os.environ.get("DRAFT_MAX_STAGE_ATTEMPTS", "3"))
DRAFT_DEFAULT_MAX_CALLS = int(os.environ.get("DRAFT_DEFAULT_MAX_CALLS", "60"))
# Browser copies: a transcode holds its video for this long, renewed while it makes progress;
# the sweep sends again every copy whose send failed, whose worker died, or whose message
# seems lost.
VIDEO_COPY_LEASE_SECONDS = env_int("VIDEO_COPY_LEASE_SECONDS", 600, minimum=10)
VIDEO_COPY_SWEEP_SECONDS = env_int("VIDEO_COPY_SWEEP_SECONDS", 60, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "drafting-watchdog": {"task": "drafting.watchdog", "schedule": DRAFT_WATCHDOG_SECONDS},
    "uploads-cleanup": {"task": "videos.cleanup_uploads", "schedule": 3600.0},
    "videos-copy-sweep": {
        "task": "videos.requeue_copies",
        "schedule": float(VIDEO_COPY_SWEEP_SECONDS),
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Releases: a freeze of at least this many items runs its quality gate in a second process
# (forked), beside the one that reads and writes the items.
RELEASE_GATE_PROCESS_ITEMS = int(os.environ.get("RELEASE_GATE_PROCESS_ITEMS", "5000"))
