"""Links printed by commands come from SITE_URL; unset, they say the address is a guess."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from tests.test_settings import run_settings

PROBE = (
    "import django; from django.conf import settings; django.setup(); "
    "print(settings.SITE_URL, settings.SITE_URL_SET)"
)


def site_settings(tmp_path: Path, **env_changes: str | None) -> str:
    done = run_settings(env_changes, tmp_path, probe=PROBE)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_it_takes_site_url_or_this_machine_on_port(tmp_path: Path) -> None:
    assert site_settings(tmp_path, SITE_URL="https://svb.example.org/", PORT=None) == (
        "https://svb.example.org True"
    )
    assert site_settings(tmp_path, SITE_URL=None, PORT="8123") == "http://127.0.0.1:8123 False"
    assert site_settings(tmp_path, SITE_URL="", PORT=None) == "http://127.0.0.1:8000 False"


def _open_study(release: Any, evaluator: Any) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "baseline_study",
        "Pilot",
        "--release",
        "svb",
        "--version",
        "1.0.0",
        "--evaluators",
        evaluator.username,
        stdout=out,
        stderr=err,
    )
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
@override_settings(SITE_URL="https://svb.example.org", SITE_URL_SET=True)
def test_it_prints_links_on_site_url(release: Any, evan: Any) -> None:
    out, err = _open_study(release, evan)
    assert out.splitlines()[-1].startswith("https://svb.example.org/baseline/")
    assert "SITE_URL" not in err


@pytest.mark.django_db
@override_settings(SITE_URL="http://127.0.0.1:8000", SITE_URL_SET=False)
def test_it_says_when_site_url_is_unset(release: Any, evan: Any) -> None:
    out, err = _open_study(release, evan)
    # The contract's last line is still an absolute URL; the note goes to stderr.
    assert out.splitlines()[-1].startswith("http://127.0.0.1:8000/baseline/")
    assert "SITE_URL is unset" in err
