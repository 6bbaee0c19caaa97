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
    env_changes: dict[str, str | None], tmp_path: Path, probe: str = PROBE
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "sciannot.settings", "SCIANNOT_VAR_DIR": str(tmp_path)})
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "-c", probe],
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


# Read by programs other than the app: the settings module, and the lmms-eval task that a
# release exports (where the harness keeps the videos).
NOT_CONFIGURATION = {"DJANGO_SETTINGS_MODULE", "SCIANNOT_VIDEO_DIR"}


def environment_variables_read() -> set[str]:
    """Every variable the app's code reads, found by the ways it reads them."""
    import re

    reads = re.compile(
        r'(?:os\.environ\.get|os\.getenv|env_bool|env_list|env_int|_networks)\(\s*"([A-Z][A-Z0-9_]+)"'
        r'|os\.environ\["([A-Z][A-Z0-9_]+)"\]'
    )
    names: set[str] = set()
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).parts
        # Virtualenvs (the app's and the interop run's lmms-eval one) hold other projects' code.
        if relative[0] in {"var", "tests"} or relative[0].startswith(".venv"):
            continue
        for match in reads.finditer(path.read_text(encoding="utf-8")):
            names.add(match.group(1) or match.group(2))
    return names - NOT_CONFIGURATION


def test_env_example_lists_every_variable_the_app_and_compose_read() -> None:
    import re

    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, re.M))
    read = environment_variables_read()
    # The scan itself works: it finds variables read each way.
    expected = {"DATABASE_URL", "DJANGO_DEBUG", "DJANGO_ALLOWED_HOSTS", "VIDEO_UPLOAD_MAX_BYTES"}
    assert expected <= read
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    read |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", compose))
    assert sorted(read - listed) == []
