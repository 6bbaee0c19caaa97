"""Changing who may download a frozen release, and the rule that protects blind studies."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from baselines.models import Study
from baselines.services import study_close
from releases.access import AccessRefused, release_set_access
from releases.models import Access, Release
from tests.baselines.conftest import open_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_blind_study(release: Release, evaluator: Any) -> Study:
    open_study("blind", "--release", "svb", "--version", "1.0.0", "--evaluators", "eva")
    return Study.objects.get()


def test_access_changes_but_not_the_content(release: Release, reviewer: Any) -> None:
    manifest = release.manifest
    release_set_access(release, Access.NAMED, [reviewer])
    assert release.access == Access.NAMED and list(release.readers.all()) == [reviewer]
    release_set_access(release, Access.PUBLIC)
    assert release.access == Access.PUBLIC and not release.readers.exists()
    assert release.manifest == manifest
    with pytest.raises(AccessRefused, match="name at least one reader"):
        release_set_access(release, Access.NAMED, [])
    with pytest.raises(AccessRefused, match="unknown access"):
        release_set_access(release, "everyone")
    assert Release.objects.get().access == Access.PUBLIC


def test_an_open_blind_study_keeps_the_keys_from_its_evaluators(
    release: Release, open_blind_study: Study, evaluator: Any, reviewer: Any
) -> None:
    with pytest.raises(AccessRefused, match="under the open blind study blind: close it"):
        release_set_access(release, Access.PUBLIC)
    with pytest.raises(AccessRefused, match="eva is answering svb blind in the open study blind"):
        release_set_access(release, Access.NAMED, [reviewer, evaluator])
    assert Release.objects.get().access == Access.CURATORS
    assert not release.readers.exists()
    release_set_access(release, Access.NAMED, [reviewer])
    # Once the study is closed, the release may be published.
    study_close(open_blind_study)
    release_set_access(release, Access.PUBLIC)
    assert Release.objects.get().access == Access.PUBLIC


def test_the_release_page_changes_access_and_says_why_not(
    release: Release, open_blind_study: Study, curator: Any, reviewer: Any
) -> None:
    client = Client()
    client.force_login(curator)
    url = f"/releases/{release.pk}/"
    refused = client.post(url + "access", {"access": "public"}, follow=True).content.decode()
    assert "Access unchanged: svb 1.0.0 is under the open blind study blind" in refused
    assert Release.objects.get().access == Access.CURATORS
    done = client.post(
        url + "access", {"access": "named", "readers": [reviewer.pk]}, follow=True
    ).content.decode()
    assert "Who may download it: Curators and named users." in done
    shown = 'data-testid="release-access">Curators and named users</span>: '
    assert shown + reviewer.username in done
    assert list(Release.objects.get().readers.all()) == [reviewer]
    # Reviewers cannot change it.
    other = Client()
    other.force_login(reviewer)
    assert other.post(url + "access", {"access": "public"}).status_code == 403
    assert Release.objects.get().access == Access.NAMED
