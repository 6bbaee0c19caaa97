"""Settings come from the environment, with self-contained defaults in the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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
        r'(?:os\.environ\.get|os\.getenv|env_[a-z]+)\(\s*"([A-Z][A-Z0-9_]+)"'
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


# --- Every variable through one reader ------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DRAFT_LEASE_SECONDS", "soon", "must be a finite number, greater than 0, not 'soon'"),
        ("LLM_TIMEOUT", "nan", "must be a finite number, greater than 0, not 'nan'"),
        ("LLM_MAX_ATTEMPTS", "0", "must be at least 1, not '0'"),
        ("DJANGO_SESSION_COOKIE_AGE", "12h", "must be a whole number, at least 1, not '12h'"),
        ("EMAIL_PORT", "smtp", "must be a whole number, at least 1 and at most 65535"),
        ("LOGIN_COOLOFF_MINUTES", "-5", "must be a finite number, greater than 0, not '-5'"),
        ("LLM_PROVIDER", "claude", "must be 'openai' or 'gemini', not 'claude'"),
        ("SITE_URL", "svb.example.org", "must be an absolute URL like https://host.example.org"),
        ("DJANGO_DEBUG", "maybe", "must be a boolean"),
        ("DJANGO_TRUSTED_PROXIES", "10.0.0.300", "must be comma-separated addresses or networks"),
        ("LLM_PRICES", "{", "must be JSON like"),
        ("DJANGO_TIME_ZONE", "Mars/Olympus", "must be an IANA time zone name"),
    ],
)
def test_a_bad_value_stops_the_start_naming_its_variable(
    tmp_path: Path, variable: str, value: str, message: str
) -> None:
    result = run_settings({variable: value}, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable} {message}" in result.stderr


NUMBERS_PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps([settings.DRAFT_LEASE_SECONDS, settings.DRAFT_MAX_STAGE_ATTEMPTS, "
    "settings.LLM_TIMEOUT, settings.LLM_FRAMES, settings.SESSION_COOKIE_AGE, "
    "settings.SECURE_HSTS_SECONDS, settings.AXES_FAILURE_LIMIT, "
    "settings.RELEASE_GATE_PROCESS_ITEMS, "
    "settings.LLM_PROVIDER, settings.STORAGE, settings.MEDIA_ACCEL_PREFIX]))"
)


def test_a_blank_variable_means_the_default(tmp_path: Path) -> None:
    blank = [
        "DRAFT_LEASE_SECONDS", "DRAFT_MAX_STAGE_ATTEMPTS", "LLM_TIMEOUT", "LLM_FRAMES",
        "DJANGO_SESSION_COOKIE_AGE", "DJANGO_SECURE_HSTS_SECONDS", "LOGIN_FAILURE_LIMIT",
        "RELEASE_GATE_PROCESS_ITEMS", "LLM_PROVIDER", "STORAGE", "MEDIA_ACCEL_PREFIX",
        "SCIANNOT_SQLITE_PATH", "MEDIA_ROOT", "UPLOAD_BUFFER_DIR", "LLM_PRICES", "SITE_URL",
    ]  # fmt: skip
    result = run_settings(dict.fromkeys(blank, " "), tmp_path, NUMBERS_PROBE)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        90.0, 3, 120.0, 8, 43200, 0, 5, 5000, "openai", "local", "/protected-media/"
    ]  # fmt: skip


FOLDERS_PROBE = (
    "import os, sys, django; from pathlib import Path; from django.conf import settings; "
    "settings.DATABASES; var = Path(os.environ['SCIANNOT_VAR_DIR']); "
    "print(var.exists()); django.setup(); "
    "print(sorted(str(p.relative_to(var)) for p in var.rglob('*')))"
)


def test_importing_the_settings_creates_nothing_the_app_start_does(tmp_path: Path) -> None:
    var = tmp_path / "var"
    result = subprocess.run(
        [sys.executable, "-c", FOLDERS_PROBE],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
            "DJANGO_SETTINGS_MODULE": "sciannot.settings",
            "SCIANNOT_VAR_DIR": str(var),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    before, after = result.stdout.splitlines()
    assert before == "False"
    assert after == str(
        ["broker", "broker/control", "broker/processed", "broker/queue", "staticfiles"]
    )


def test_the_version_is_written_once() -> None:
    import tomllib

    from django.conf import settings

    import sciannot

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "sciannot.__version__"}
    assert settings.SPECTACULAR_SETTINGS["VERSION"] == settings.SCIANNOT_VERSION
    assert sciannot.__version__ == settings.SCIANNOT_VERSION
    literal = f'"{sciannot.__version__}"'
    for path in ("sciannot/settings.py", "pyproject.toml"):
        assert literal not in (ROOT / path).read_text(encoding="utf-8"), path


def test_the_suite_runs_with_its_own_settings() -> None:
    from django.conf import settings

    from sciannot.celery import app

    assert settings.SETTINGS_MODULE == "tests.settings"
    test_var = ROOT / "var" / "test"
    assert test_var / "media" == settings.MEDIA_ROOT
    assert settings.STORAGES["default"]["OPTIONS"]["location"] == test_var / "media"
    assert settings.PASSWORD_HASHERS[0].endswith("MD5PasswordHasher")
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    if not settings.REDIS_URL:
        options = app.conf.broker_transport_options
        assert options["data_folder_in"] == str(test_var / "broker/queue")


def gunicorn_check(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DJANGO_SETTINGS_MODULE="sciannot.settings", SCIANNOT_VAR_DIR=str(tmp_path))
    env.update(variables)
    command = ["gunicorn", "--check-config", "-c", "deploy/gunicorn.conf.py"]
    return subprocess.run(
        [sys.executable, "-m", *command, "sciannot.wsgi:application"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_gunicorn_reads_its_variables_through_the_same_readers(tmp_path: Path) -> None:
    blank = gunicorn_check(tmp_path, GUNICORN_THREADS="", GUNICORN_TIMEOUT=" ")
    assert blank.returncode == 0, blank.stderr
    bad = gunicorn_check(tmp_path, GUNICORN_THREADS="lots")
    assert bad.returncode != 0
    assert "GUNICORN_THREADS must be a whole number, at least 1, not 'lots'" in bad.stderr
