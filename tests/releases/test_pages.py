"""The release pages: check, freeze, look at a release, deprecate."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from releases.models import Release
from tests.releases.conftest import freeze, warnings_confirmed

pytestmark = pytest.mark.django_db

FORM = {
    "name": "svb",
    "version": "1.0.0",
    "access": "curators",
    "split": "test",
    "seed": "0",
    "keep_videos_together": "on",
    "videos": "",
    "stratify": "",
    "description": "",
    "license": "CC BY 4.0",
}


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_curators_see_release_pages(accepted: Any, reviewer: Any, evaluator: Any) -> None:
    freeze("svb", "--version", "1.0.0")
    release = Release.objects.get()
    for url in ("/releases/", "/releases/new/", f"/releases/{release.pk}/"):
        assert Client().get(url).status_code == 302
        for user in (reviewer, evaluator):
            assert signed_in(user).get(url).status_code == 403
    assert (
        signed_in(reviewer).post("/releases/new/", {**FORM, "action": "freeze"}).status_code == 403
    )
    assert signed_in(reviewer).post(f"/releases/{release.pk}/deprecate").status_code == 403
    assert Release.objects.count() == 1


def test_check_shows_the_gate_then_freeze_opens_the_release(accepted: Any, curator: Any) -> None:
    client = signed_in(curator)
    check = client.post(
        "/releases/new/",
        {**FORM, "action": "check", "stratify": "test=0.75,val=0.25"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Quality gate · 12 items (test " in check and "val " in check
    assert 'data-testid="gate-ok"' in check
    assert not Release.objects.exists()
    confirmed = warnings_confirmed(client, FORM)
    response = client.post("/releases/new/", {**confirmed, "action": "freeze"})
    release = Release.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/releases/{release.pk}/"
    assert release.frozen_by == curator and release.license == "CC BY 4.0"
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="release-count">12<' in page
    assert (
        "/api/releases/svb/1.0.0/test.jsonl" in page and "/api/releases/svb/1.0.0/test.json" in page
    )
    assert release.manifest["splits"]["test"]["files"]["test.jsonl"]["sha256"] in page
    assert "The first version: every item is new." in page
    for name in ("test.tsv", "lmms-eval.zip", "README.md", "manifest.md", "changelog.json"):
        assert f"/api/releases/svb/1.0.0/{name}" in page
    assert 'href="/api/releases/svb/1.0.0/archive.zip" data-testid="download-archive"' in page
    listing = client.get("/releases/").content.decode()
    assert "svb" in listing and "1.0.0" in listing


def test_a_freeze_with_warnings_waits_for_their_confirmation(accepted: Any, curator: Any) -> None:
    client = signed_in(curator)
    first = client.post("/releases/new/", {**FORM, "action": "freeze"})
    assert first.status_code == 200 and not Release.objects.exists()
    page = first.content.decode()
    assert 'data-testid="freeze-confirm"' in page
    # The confirmation lists the gate's warnings (these items were accepted on import).
    listed = page.split('data-testid="confirm-warnings"')[1].split("</ul>")[0]
    assert "12 item(s) with fewer than 1 expert accept(s)" in listed
    # A confirmation of other warnings (the set changed since) freezes nothing either.
    stale = client.post(
        "/releases/new/", {**FORM, "action": "freeze", "confirm_warnings": "0123456789abcdef"}
    )
    assert 'data-testid="freeze-confirm"' in stale.content.decode()
    assert not Release.objects.exists()
    # Through htmx, the confirmed freeze sends the browser to the release.
    confirmed = warnings_confirmed(client, FORM)
    response = client.post(
        "/releases/new/", {**confirmed, "action": "freeze"}, headers={"HX-Request": "true"}
    )
    release = Release.objects.get()
    assert response["HX-Redirect"] == f"/releases/{release.pk}/"
    assert release.warnings and release.warnings[0]["code"]


def test_gate_errors_block_the_freeze_from_the_page(accepted: Any, curator: Any) -> None:
    from videos.models import Video

    Video.objects.filter(video_id="7").update(duration=15.0)
    response = signed_in(curator).post("/releases/new/", {**FORM, "action": "freeze"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "ends after the video (15 s)" in page and "nothing was frozen" in page
    assert not Release.objects.exists()


def test_bad_form_input_is_refused(accepted: Any, curator: Any) -> None:
    response = signed_in(curator).post(
        "/releases/new/", {**FORM, "version": "v1", "stratify": "test=2", "action": "freeze"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "semantic version" in page and "add up to 2" in page
    assert not Release.objects.exists()


def test_a_second_version_shows_its_changes_and_the_first_can_be_deprecated(
    accepted: Any, curator: Any
) -> None:
    from reviews.models import Question

    freeze("svb", "--version", "1.0.0")
    question = Question.objects.order_by("pk").first()
    assert question is not None
    Question.objects.filter(pk=question.pk).update(rationale="Sharper <b>rationale</b>.")
    freeze("svb", "--version", "1.1.0")
    first, second = Release.objects.order_by("version")
    client = signed_in(curator)
    page = client.get(f"/releases/{second.pk}/").content.decode()
    assert "Changes since 1.0.0" in page and "0 added · 0 removed · 1 changed" in page
    assert "Sharper &lt;b&gt;rationale&lt;/b&gt;." in page
    client.post(f"/releases/{first.pk}/deprecate")
    first.refresh_from_db()
    assert first.status == "deprecated"
    assert (
        'data-testid="release-status">Deprecated'
        in client.get(f"/releases/{first.pk}/").content.decode()
    )
    # Still downloadable, marked deprecated.
    download = client.get("/api/releases/svb/1.0.0/test.jsonl")
    assert download.status_code == 200 and download["X-Release-Status"] == "deprecated"
