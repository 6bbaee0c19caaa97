"""The test suite's settings: the app's own (`sciannot.settings`), with the suite's overrides.

The suite keeps its own SQLite file, media and broker folders under var/test, so it never
touches the data of a `make run` in the same checkout. Processes that tests start (a Celery
worker, the loopback stack, runserver) run with `sciannot.settings` and are pointed at the
test database and folders through the environment (`tests.conftest.worker_env`).
"""

from __future__ import annotations

from sciannot.settings import *  # noqa: F403
from sciannot.settings import (
    BASE_DIR,
    CELERY_BROKER_TRANSPORT_OPTIONS,
    DATABASES,
    PASSWORD_HASHERS,
    REDIS_URL,
    STORAGES,
)

TEST_VAR = BASE_DIR / "var" / "test"

MEDIA_ROOT = TEST_VAR / "media"
STORAGES = {
    **STORAGES,
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    },
}

# Hashing a password properly costs a fifth of a second of CPU, and most tests create accounts
# and sign them in: the suite hashes with MD5, which is fast and unsafe, and still verifies the
# real hashes. The loopback stack runs its own processes with the production hashers.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    *PASSWORD_HASHERS,
]

# Each test starts with an empty cache of its own (clearing a shared Redis would also drop the
# task queue that lives there).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES = {
        **DATABASES,
        "default": {
            **DATABASES["default"],
            "TEST": {**DATABASES["default"]["TEST"], "NAME": str(TEST_VAR / "test-db.sqlite3")},
        },
    }

if not REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "data_folder_in": str(TEST_VAR / "broker/queue"),
        "data_folder_out": str(TEST_VAR / "broker/queue"),
        "processed_folder": str(TEST_VAR / "broker/processed"),
        "control_folder": str(TEST_VAR / "broker/control"),
    }
