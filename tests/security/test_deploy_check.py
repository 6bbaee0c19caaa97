"""`manage.py check --deploy` is clean with production settings, and production refuses to
start with a secret key that is missing, the development one, or too weak."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path: Path, **changes: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "SCIANNOT_VAR_DIR": str(tmp_path),
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "sciannot.example.org",
            "DJANGO_SECURE_SSL_REDIRECT": "1",
            "DJANGO_SECURE_HSTS_SECONDS": "31536000",
            "DJANGO_SECURE_COOKIES": "1",
        }
    )
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_it_passes_the_deploy_check_with_production_settings(tmp_path: Path) -> None:
    result = deploy_check(production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_it_fails_the_deploy_check_without_https_settings(tmp_path: Path) -> None:
    result = deploy_check(
        production_env(tmp_path, DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SECURE_HSTS_SECONDS="0")
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr
    assert "security.W008" in result.stderr


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (
            "django-insecure-development-only-key-do-not-use-in-production",
            "it is a development key",
        ),
        (None, "it is not set"),
        ("short-but-random-Zq81", "it has 21 characters; use at least 50"),
        ("ab" * 40, "it has fewer than 5 different characters"),
    ],
)
def test_it_refuses_to_start_in_production_with_a_weak_secret_key(
    tmp_path: Path, key: str | None, reason: str
) -> None:
    result = deploy_check(production_env(tmp_path, DJANGO_SECRET_KEY=key))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr
    assert reason in result.stderr
    assert "token_urlsafe" in result.stderr


def test_development_keeps_working_with_the_development_key(tmp_path: Path) -> None:
    env = production_env(tmp_path, DJANGO_DEBUG="1", DJANGO_SECRET_KEY=None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
