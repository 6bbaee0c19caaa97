"""403, 404 and 500 answer with the site's own pages (navigation, a reason, a way on) whether
DEBUG is on or off; under /api/ they answer JSON (`{"detail": ...}`) in both modes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.error_urls")]


@pytest.fixture
def debug_mode(settings: Any, request: pytest.FixtureRequest) -> bool:
    settings.DEBUG = request.param
    return bool(request.param)


def signed_in(user: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def assert_site_page(response: Any, status: int, testid: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert f'data-testid="{testid}"' in page
    # The site's layout, not Django's debug page.
    assert 'class="topbar"' in page
    assert "DEBUG = True" not in page
    assert "URLconf" not in page
    return page


@pytest.mark.parametrize("debug_mode", [True, False], indirect=True, ids=["debug", "production"])
def test_an_unknown_address_shows_the_404_page_with_the_navigation(
    debug_mode: bool, curator: Any
) -> None:
    page = assert_site_page(signed_in(curator).get("/no/such/page/"), 404, "not-found")
    assert 'href="/videos/"' in page  # the curator's menu
    assert "There is no page at this address" in page
    assert "/no/such/page/" in page
    assert 'data-testid="error-home"' in page


@pytest.mark.parametrize("debug_mode", [True, False], indirect=True, ids=["debug", "production"])
def test_a_missing_object_names_what_is_missing(debug_mode: bool, curator: Any) -> None:
    page = assert_site_page(signed_in(curator).get("/videos/987654/"), 404, "not-found")
    assert "No such video." in page


@pytest.mark.parametrize("debug_mode", [True, False], indirect=True, ids=["debug", "production"])
def test_a_signed_out_visitor_is_offered_the_sign_in(debug_mode: bool) -> None:
    page = assert_site_page(Client().get("/no/such/page/"), 404, "not-found")
    assert 'data-testid="error-sign-in"' in page
    assert "/accounts/login/?next=/no/such/page/" in page


@pytest.mark.parametrize("debug_mode", [True], indirect=True, ids=["debug"])
def test_a_missing_slash_still_redirects(debug_mode: bool, curator: Any) -> None:
    response = signed_in(curator).get("/videos")
    assert response.status_code == 301
    assert response["Location"] == "/videos/"


@pytest.mark.parametrize("debug_mode", [True, False], indirect=True, ids=["debug", "production"])
def test_a_refusal_shows_the_403_page_with_its_reason(debug_mode: bool, reviewer: Any) -> None:
    page = assert_site_page(signed_in(reviewer).get("/releases/"), 403, "forbidden")
    assert 'data-testid="forbidden-reason"' in page
    assert 'href="/questions/"' in page  # the reviewer's menu
    assert 'data-testid="error-home"' in page


def test_a_server_error_shows_the_500_page_in_production(settings: Any, curator: Any) -> None:
    settings.DEBUG = False
    page = assert_site_page(signed_in(curator).get("/boom/"), 500, "server-error")
    assert 'href="/videos/"' in page
    assert "a failure inside a view" not in page


def test_a_server_error_in_development_keeps_the_traceback(settings: Any, curator: Any) -> None:
    """Developers running `make run` see Django's technical 500 page (a decision: the
    traceback is what they need there)."""
    settings.DEBUG = True
    response = signed_in(curator).get("/boom/")
    assert response.status_code == 500
    assert "a failure inside a view" in response.content.decode()


@pytest.mark.parametrize("debug_mode", [True, False], indirect=True, ids=["debug", "production"])
@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("/api/no/such/endpoint/", 404, "Not found."),
        ("/api/denied/", 403, "Only the owner may do this."),
        ("/api/boom/", 500, None),
    ],
)
def test_api_errors_are_json_in_every_mode(
    debug_mode: bool, curator: Any, path: str, status: int, detail: str | None
) -> None:
    response = signed_in(curator).get(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"detail"}
    if detail is not None:
        assert body["detail"] == detail
    else:
        assert body["detail"]
        assert "a failure inside a view" not in body["detail"]
