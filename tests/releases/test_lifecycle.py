"""The releases' own services and selectors: the lookup by name and version, who may
download, and deprecation (the service and its command)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from releases.access import may_download
from releases.deprecation import release_deprecate
from releases.models import Release, ReleaseStatus
from releases.selectors import release_sealed_get
from tests.releases.conftest import freeze
from videos.models import Benchmark

pytestmark = pytest.mark.django_db


@pytest.fixture
def release(accepted: Any) -> Release:
    freeze("svb", "--version", "1.0.0")
    return Release.objects.get()


def test_the_lookup_finds_only_a_sealed_release_of_the_benchmark(release: Release) -> None:
    assert release_sealed_get(name="svb", version="1.0.0") == release
    assert release_sealed_get(name="svb", version="1.0.0", benchmark=release.benchmark) == release
    assert release_sealed_get(name="svb", version="9.9.9") is None
    assert release_sealed_get(name="other", version="1.0.0") is None
    elsewhere = Benchmark.objects.create(name="elsewhere", title="Elsewhere")
    assert release_sealed_get(name="svb", version="1.0.0", benchmark=elsewhere) is None


def test_who_may_download_by_access(
    release: Release, curator: Any, reviewer: Any, evaluator: Any
) -> None:
    # Curators only (the default).
    assert may_download(curator, release)
    assert not may_download(reviewer, release)
    assert not may_download(None, release)
    # Named readers.
    Release.objects.filter(pk=release.pk).update(access="named")
    release.refresh_from_db()
    release.readers.add(reviewer)
    assert may_download(reviewer, release) and may_download(curator, release)
    assert not may_download(evaluator, release)
    # A deactivated reader may not.
    reviewer.is_active = False
    reviewer.save(update_fields=["is_active"])
    assert not may_download(reviewer, release)
    # Everyone, signed in or not.
    Release.objects.filter(pk=release.pk).update(access="public")
    release.refresh_from_db()
    assert may_download(None, release) and may_download(evaluator, release)


def test_deprecation_happens_once(release: Release) -> None:
    assert release_deprecate(release) is True
    assert release.status == ReleaseStatus.DEPRECATED
    assert release_deprecate(release) is False
    release.refresh_from_db()
    assert release.status == ReleaseStatus.DEPRECATED


def deprecate(*args: str) -> str:
    out = io.StringIO()
    call_command("deprecate_release", *args, stdout=out)
    return out.getvalue()


def test_the_deprecate_command(release: Release) -> None:
    assert deprecate("svb", "--version", "1.0.0") == "Deprecated svb 1.0.0.\n"
    release.refresh_from_db()
    assert release.status == ReleaseStatus.DEPRECATED
    assert deprecate("svb", "--version", "1.0.0") == "svb 1.0.0 was already deprecated.\n"
    with pytest.raises(CommandError, match=r"no release svb 2\.0\.0"):
        deprecate("svb", "--version", "2.0.0")
    with pytest.raises(CommandError, match="no benchmark named 'nope'"):
        deprecate("svb", "--version", "1.0.0", "--benchmark", "nope")
