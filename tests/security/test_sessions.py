"""Session cookies: HttpOnly, SameSite, a working day long, kept over a browser restart, a
new session key at every sign-in, and Secure in production."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def test_signing_in_starts_a_new_session_with_a_day_long_cookie(db: None) -> None:
    from sciannot.accounts.models import User

    User.objects.create_user(username="ann", password="right-ann", role="reviewer")
    client = Client()
    # An anonymous session, as a visitor (or someone fixing a session id) would have.
    session = client.session
    session["before"] = True
    session.save()
    before = session.session_key
    assert before
    response = client.post("/accounts/login/", {"username": "ann", "password": "right-ann"})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value != before
    assert not SessionStore().exists(before)
    assert client.session["before"] is True
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 12 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is False


def cookie_settings(env: dict[str, str]) -> dict[str, Any]:
    code = (
        "import json, django; from django.conf import settings as s; django.setup(); "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SESSION_COOKIE_AGE, s.CSRF_COOKIE_HTTPONLY]))"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "sciannot.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    secure, csrf_secure, age, csrf_httponly = json.loads(result.stdout)
    return {"secure": secure, "csrf_secure": csrf_secure, "age": age, "httponly": csrf_httponly}


def test_cookies_are_secure_in_production_and_the_age_comes_from_the_environment() -> None:
    development = cookie_settings({})
    assert development == {"secure": False, "csrf_secure": False, "age": 43200, "httponly": True}
    production = cookie_settings(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_SESSION_COOKIE_AGE": "3600",
        }
    )
    assert production == {"secure": True, "csrf_secure": True, "age": 3600, "httponly": True}
