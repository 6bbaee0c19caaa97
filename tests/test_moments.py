"""Every moment a page shows is written one way: `2026-12-02 14:05 UTC`, in the active time
zone with its name, through the `when` filter; no template formats dates by itself."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import Client
from django.utils import timezone

from releases.models import Release
from sciannot.accounts.models import User
from sciannot.accounts.services import invitation_create, invitation_send
from sciannot.moments import moment_text
from tests.releases.conftest import accepted, freeze  # noqa: F401 (accepted: a fixture)

ROOT = Path(__file__).resolve().parent.parent
STYLE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d [A-Z][A-Za-z+\-0-9]*")
MOMENT = datetime(2026, 12, 2, 13, 5, 51, tzinfo=UTC)


def test_a_moment_is_written_in_the_active_zone_with_its_name() -> None:
    assert moment_text(MOMENT) == "2026-12-02 13:05 UTC"
    with timezone.override("Europe/Berlin"):
        assert moment_text(MOMENT) == "2026-12-02 14:05 CET"
    with timezone.override("America/New_York"):
        assert moment_text(MOMENT) == "2026-12-02 08:05 EST"


def test_stored_iso_strings_naive_values_dates_and_nothing() -> None:
    assert moment_text("2026-12-02T13:05:51Z") == "2026-12-02 13:05 UTC"
    assert moment_text(datetime(2026, 12, 2, 13, 5)) == "2026-12-02 13:05 UTC"
    assert moment_text(date(2026, 12, 2)) == "2026-12-02"
    assert moment_text(None) == ""
    assert moment_text("not a time") == "not a time"


def test_the_filter_wraps_the_text_in_a_time_element() -> None:
    template = Template("{% load moments %}{{ at|when }}|{{ missing|when|default:'never' }}")
    with timezone.override("Europe/Berlin"):
        out = template.render(Context({"at": MOMENT, "missing": None}))
    assert out == '<time datetime="2026-12-02T14:05:51+01:00">2026-12-02 14:05 CET</time>|never'


def test_no_template_formats_a_date_by_itself() -> None:
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (
            r"\|date\b",
            r"\|time\b",
            r"isoformat",
            # A moment rendered raw: {{ x.created_at }}, {{ account.last_login }}.
            r"{{\s*[\w.]*\.(\w+_at|last_login|date_joined|created)\s*}}",
        ):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert not offenders, offenders


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.usefixtures("accepted")
def test_pages_show_moments_in_the_one_style(curator: Any, settings: Any) -> None:
    settings.TIME_ZONE = "Europe/Berlin"
    freeze("svb", "--version", "1.0.0")
    release = Release.objects.get()
    invitation_create(email="x@lab.example", role="evaluator", invited_by=curator)
    client = signed_in(curator)
    client.post("/accounts/token/", {"action": "create"})
    User.objects.filter(pk=curator.pk).update(last_login=MOMENT)
    pages = {
        # The manifest keeps ISO 8601 (`...T...Z`); the page shows it like every other time.
        f"/releases/{release.pk}/": release.manifest["created_at"],
        "/releases/": None,
        "/accounts/users/": "2026-12-02 14:05 CET",
        f"/accounts/users/{curator.pk}/": "2026-12-02 14:05 CET",
        "/accounts/invitations/": None,
        "/accounts/token/": None,
    }
    for path, expected in pages.items():
        page = client.get(path).content.decode()
        shown = re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", page)
        assert shown, path
        for text in shown:
            assert STYLE.fullmatch(text), (path, text)
            assert text.endswith((" CET", " CEST")), (path, text)
        assert not re.search(r">\s*\d{4}-\d\d-\d\dT\d\d:\d\d", page), path
        if expected is not None and expected.endswith("Z"):
            assert moment_text(expected) in shown, path
        elif expected is not None:
            assert expected in shown, path


@pytest.mark.django_db
def test_the_invitation_email_uses_the_same_style(curator: Any) -> None:
    invitation, _ = invitation_create(email="x@lab.example", role="evaluator", invited_by=curator)
    invitation_send(invitation=invitation, link="http://testserver/accounts/invite/t/")
    assert f"expires on {moment_text(invitation.expires_at)}." in mail.outbox[0].body
    assert STYLE.search(mail.outbox[0].body)
