"""Settings come from the environment, with self-contained defaults in the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'name': str(settings.DATABASES['default']['NAME']), "
    "'options': settings.DATABASES['default'].get('OPTIONS', {}), "
    "'broker': settings.CELERY_BROKER_URL, 'results': settings.CELERY_RESULT_BACKEND, "
    "'transport': settings.CELERY_BROKER_TRANSPORT_OPTIONS, "
    "'media': str(settings.MEDIA_ROOT)}))"
)


def run_settings(
    env_changes: dict[str, str | None], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "sciannot.settings", "SCIANNOT_VAR_DIR": str(tmp_path)})
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_defaults_to_sqlite_and_a_filesystem_broker_under_the_checkout(tmp_path: Path) -> None:
    result = run_settings({}, tmp_path)
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["name"] == str(tmp_path / "db.sqlite3")
    assert "journal_mode=WAL" in config["options"]["init_command"]
    assert config["options"]["transaction_mode"] == "IMMEDIATE"
    assert config["options"]["timeout"] > 0
    assert config["broker"] == "filesystem://"
    assert config["results"] == "django-db"
    transport = config["transport"]
    # kombu's filesystem transport must read and write the same folder.
    assert transport["data_folder_in"] == transport["data_folder_out"]
    assert transport["data_folder_in"].startswith(str(tmp_path))
    assert config["media"] == str(tmp_path / "media")


def test_it_uses_postgresql_and_redis_only_when_told(tmp_path: Path) -> None:
    result = run_settings(
        {
            "DATABASE_URL": "postgres://someone@db.invalid:5432/sciannot",
            "REDIS_URL": "redis://cache.invalid:6379/0",
        },
        tmp_path,
    )
    config = json.loads(result.stdout)
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["broker"] == config["results"] == "redis://cache.invalid:6379/0"


def test_it_refuses_production_without_a_secret_key(tmp_path: Path) -> None:
    result = run_settings({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": None}, tmp_path)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_it_rejects_an_unknown_storage(tmp_path: Path) -> None:
    result = run_settings({"STORAGE": "ftp"}, tmp_path)
    assert result.returncode != 0
    assert "STORAGE must be 'local' or 's3'" in result.stderr
