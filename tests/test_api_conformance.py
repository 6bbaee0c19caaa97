"""The REST API against its own OpenAPI schema, with schemathesis: generated requests (valid and
invalid) to every operation of the live server, signed in with a curator's token. No answer may
be a server error, and every answer must be one the schema documents (status, content type,
headers, body)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from sciannot.accounts.services import user_upsert
from tests.releases.conftest import accepted_items, freeze

# The release the pinned run uses; the free run invents names and versions.
RELEASE = {"name": "svb", "version": "1.0.0"}


@pytest.fixture
def curator_key(
    transactional_db: None,
    frozen_releases_cleared: None,
    benchmark: Any,
    write_items: Callable[..., Path],
) -> str:
    call_command(
        "import_questions",
        str(write_items(accepted_items())),
        "--status",
        "accepted",
        stdout=io.StringIO(),
    )
    freeze(RELEASE["name"], "--version", RELEASE["version"])
    curator, _ = user_upsert(username="cora", role="curator", password="pw-cora-long")
    return Token.objects.create(user=curator).key


EXAMPLES = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def checker(
    cases: Any, label: str, ran: dict[str, int], *, headers: dict[str, str], excluded: list[Any]
) -> Any:
    """A Hypothesis test sending the generated cases and checking every answer."""

    @EXAMPLES
    @given(case=cases)
    def check(case: Any) -> None:
        ran[label] += 1
        case.call_and_validate(headers=headers, excluded_checks=excluded)

    return check


def exercise(live_server: Any, key: str, **fixed: Any) -> tuple[dict[str, int], list[str]]:
    """Run every operation with generated valid and invalid requests; returns how many
    requests each operation got, and a line per operation whose answers broke the schema (or
    were server errors)."""
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    auth = {"Authorization": f"Token {key}"}
    ran: dict[str, int] = {}
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        params = {k: v for k, v in fixed.items() if k in operation.path}
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE, path_parameters=params or None),
            operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=params or None),
        )

        # Whether an uploaded file holds predictions for the release is beyond what a schema
        # can say: a schema-valid upload of arbitrary bytes is rightly refused with a 400.
        excluded = [positive_data_acceptance] if operation.method.upper() == "POST" else []

        ran[operation.label] = 0
        check = checker(cases, operation.label, ran, headers=auth, excluded=excluded)
        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # every operation reports, not the first
            failures.append(f"{operation.label}: {exc}")
    return ran, failures


@pytest.mark.timeout(300)
def test_every_operation_answers_as_documented(live_server: Any, curator_key: str) -> None:
    ran, failures = exercise(live_server, curator_key)
    assert not failures, "\n\n".join(failures)
    assert len(ran) >= 4 and min(ran.values()) >= 10, ran


@pytest.mark.timeout(300)
def test_the_release_operations_answer_as_documented_for_a_real_release(
    live_server: Any, curator_key: str
) -> None:
    ran, failures = exercise(live_server, curator_key, **RELEASE)
    assert not failures, "\n\n".join(failures)
    assert min(ran.values()) >= 10, ran


FILES = ["test.jsonl", "test.json", "test.tsv", "lmms-eval.zip", "README.md"]
FILES += ["manifest.json", "manifest.md", "changelog.json", "changelog.md"]


def test_every_release_file_is_as_documented(live_server: Any, curator_key: str) -> None:
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")
    download = schema["/api/releases/{name}/{version}/{filename}"]["GET"]
    auth = {"Authorization": f"Token {curator_key}"}
    for filename in FILES:
        case = download.Case(path_parameters={**RELEASE, "filename": filename})
        response = case.call_and_validate(headers=auth)
        assert response.status_code == 200, filename
    missing = download.Case(path_parameters={**RELEASE, "filename": "val.jsonl"})
    assert missing.call_and_validate(headers=auth).status_code == 404
    anonymous = download.Case(path_parameters={**RELEASE, "filename": "test.jsonl"})
    assert anonymous.call_and_validate().status_code == 401


@pytest.mark.django_db
def test_unknown_api_urls_answer_json_and_pages_stay_html(curator: Any) -> None:
    client = Client()
    client.force_login(curator)
    api = client.get("/api/no/such/thing")
    assert api.status_code == 404 and api.json() == {"detail": "Not found."}
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
