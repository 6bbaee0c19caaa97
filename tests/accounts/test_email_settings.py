"""Email and invitation settings come from the environment, with safe defaults."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps([settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT, "
    "settings.EMAIL_USE_TLS, settings.DEFAULT_FROM_EMAIL, settings.INVITATION_DAYS]))"
)


def probe(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DJANGO_"))}
    env.pop("INVITATION_DAYS", None)
    env.update(DJANGO_SETTINGS_MODULE="sciannot.settings", SCIANNOT_VAR_DIR=str(tmp_path))
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_development_prints_mail_and_production_sends_it(tmp_path: Path) -> None:
    development = probe(tmp_path)
    assert development.returncode == 0, development.stderr
    backend, host, port, tls, sender, days = json.loads(development.stdout)
    assert backend == "django.core.mail.backends.console.EmailBackend"
    assert (host, port, tls, days) == ("localhost", 25, False, 7)
    assert sender
    production = probe(tmp_path, DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(50))
    assert production.returncode == 0, production.stderr
    assert json.loads(production.stdout)[0] == "django.core.mail.backends.smtp.EmailBackend"


def test_the_variables_are_read_and_empty_ones_mean_the_default(tmp_path: Path) -> None:
    result = probe(
        tmp_path,
        EMAIL_BACKEND="",
        EMAIL_HOST="smtp.lab.example",
        EMAIL_PORT="587",
        EMAIL_USE_TLS="1",
        DEFAULT_FROM_EMAIL="noreply@lab.example",
        INVITATION_DAYS="3",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        "django.core.mail.backends.console.EmailBackend",
        "smtp.lab.example",
        587,
        True,
        "noreply@lab.example",
        3,
    ]


def test_a_bad_invitation_lifetime_stops_the_start(tmp_path: Path) -> None:
    for value in ("0", "a week"):
        result = probe(tmp_path, INVITATION_DAYS=value)
        assert result.returncode != 0
        assert "INVITATION_DAYS must be a whole number of days, at least 1" in result.stderr
