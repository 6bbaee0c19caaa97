"""Every route refuses a POST without a CSRF token, whoever sends it; the same POST with the
token gets past the check; and htmx's POSTs carry the token the page gives them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reviews.models import Comment
from tests.security.world import World, build_world

# The CSRF check runs before a view looks anything up, so an upload id need not exist.
UPLOAD = "00000000-0000-4000-8000-000000000000"

# Every route outside the admin that accepts a POST, with the keyword arguments of a real
# URL for it.
POST_ROUTES: dict[str, Callable[[World], dict[str, Any]]] = {
    "reviews:bulk": lambda w: {},
    "reviews:decide": lambda w: {"uid": w.review_question.uid},
    "reviews:edit": lambda w: {"uid": w.review_question.uid},
    "reviews:comment": lambda w: {"uid": w.review_question.uid},
    "reviews:solve": lambda w: {"uid": w.review_question.uid},
    "reviews:exemplar": lambda w: {"uid": w.review_question.uid},
    "reviews:restore": lambda w: {"uid": w.review_question.uid, "number": 1},
    "reviews:reopen": lambda w: {"uid": w.review_question.uid},
    "drafting:new": lambda w: {},
    "drafting:cancel": lambda w: {"pk": w.job.pk},
    "releases:new": lambda w: {},
    "releases:rebalance": lambda w: {},
    "releases:access": lambda w: {"pk": w.release.pk},
    "releases:deprecate": lambda w: {"pk": w.release.pk},
    "baselines:answer": lambda w: {"pk": w.study.pk},
    "baselines:new": lambda w: {},
    "baselines:close": lambda w: {"pk": w.study.pk},
    "leaderboard:import": lambda w: {"pk": w.release.pk, "split": "test"},
    "leaderboard:remove": lambda w: {"pk": w.release.pk, "split": "test", "run": 1},
    "leaderboard:analysis-send-back": lambda w: {"pk": w.release.pk, "split": "test"},
    "leaderboard:evaluate": lambda w: {"pk": w.release.pk, "split": "test"},
    "leaderboard:evaluation_cancel": lambda w: {"pk": w.evaluation.pk},
    "api:predictions": lambda w: {"name": "svb", "version": "1.0.0"},
    "accounts:invitations": lambda w: {},
    "accounts:invitation-revoke": lambda w: {"pk": 1},
    "accounts:invite": lambda w: {"token": "not-a-token"},
    "accounts:user": lambda w: {"pk": w.curator.pk},
    "accounts:user-active": lambda w: {"pk": w.curator.pk},
    "accounts:token": lambda w: {},
    "videos:upload-create": lambda w: {},
    "videos:upload-chunk": lambda w: {"upload_id": UPLOAD},
    "videos:upload-finish": lambda w: {"upload_id": UPLOAD},
    "videos:upload-cancel": lambda w: {"upload_id": UPLOAD},
    "login": lambda w: {},
    "logout": lambda w: {},
    "password_change": lambda w: {},
    "password_reset": lambda w: {},
    "password_reset_confirm": lambda w: {"uidb64": "MQ", "token": "set-password"},
}

# Routes that only read (GET/HEAD). A POST must still be refused before any view runs.
GET_ROUTES: dict[str, Callable[[World], dict[str, Any]]] = {
    "home": lambda w: {},
    "videos:list": lambda w: {},
    "videos:detail": lambda w: {"pk": w.video.pk},
    "videos:media": lambda w: {"pk": w.video.pk, "kind": "video"},
    "reviews:list": lambda w: {},
    "reviews:next": lambda w: {},
    "reviews:adjudication": lambda w: {},
    "reviews:dashboard": lambda w: {},
    "reviews:question": lambda w: {"uid": w.review_question.uid},
    "drafting:jobs": lambda w: {},
    "drafting:job": lambda w: {"pk": w.job.pk},
    "drafting:call": lambda w: {"pk": w.call.pk},
    "releases:list": lambda w: {},
    "releases:detail": lambda w: {"pk": w.release.pk},
    "baselines:home": lambda w: {},
    "baselines:study": lambda w: {"pk": w.study.pk},
    "leaderboard:index": lambda w: {},
    "leaderboard:board": lambda w: {"pk": w.release.pk, "split": "test"},
    "leaderboard:analysis": lambda w: {"pk": w.release.pk, "split": "test"},
    "leaderboard:evaluation": lambda w: {"pk": w.evaluation.pk},
    "leaderboard:evaluation_call": lambda w: {"pk": w.evaluation.pk, "call": w.eval_call.pk},
    "api:leaderboard": lambda w: {"name": "svb", "version": "1.0.0"},
    "api:release-download": lambda w: {"name": "svb", "version": "1.0.0", "filename": "test.jsonl"},
    "api:questions": lambda w: {},
    "api:schema": lambda w: {},
    "api:docs": lambda w: {},
    "api:redoc": lambda w: {},
    "accounts:users": lambda w: {},
    "videos:upload": lambda w: {},
    "videos:upload-status": lambda w: {"upload_id": UPLOAD},
    "password_change_done": lambda w: {},
    "password_reset_done": lambda w: {},
    "password_reset_complete": lambda w: {},
}


def routes(
    patterns: list[Any] | None = None, prefix: str = "", ns: str = ""
) -> Iterator[tuple[str, str]]:
    """(route, name) of every URL pattern the project answers, namespaces included."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (ns, pattern.namespace or "") if part)
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or ""
            yield prefix + str(pattern.pattern), f"{ns}:{name}" if ns else name


def admin_path(route: str) -> str:
    """A concrete path for an admin route: any value its converters take will do, since the
    CSRF check runs before the view looks them up."""
    values = {"app_label": "reviews", "int": "1"}

    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        return values.get(name) or values.get(converter) or "1"

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route).lstrip("^").rstrip("$")


@pytest.fixture
def world(db: None, tmp_path: Path, video_dir: Path) -> World:
    return build_world(tmp_path, video_dir)


def csrf_client(user: Any | None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def refused_for_csrf(response: Any) -> bool:
    body = response.content.decode(errors="replace")
    return response.status_code == 403 and "CSRF" in body


def test_every_route_is_classified_so_none_escapes_this_test() -> None:
    named = {name for route, name in routes() if not route.startswith("admin/")}
    unknown = named - set(POST_ROUTES) - set(GET_ROUTES)
    assert not unknown, f"add these routes to POST_ROUTES or GET_ROUTES: {sorted(unknown)}"
    assert not (set(POST_ROUTES) | set(GET_ROUTES)) - named


def test_every_route_refuses_a_post_without_a_token(world: World) -> None:
    client = csrf_client(world.curator)
    checked = []
    known = {**POST_ROUTES, **GET_ROUTES}
    for route, name in routes():
        if route.startswith("admin/"):
            path = admin_path(route)
        elif name in known:
            path = reverse(name, kwargs=known[name](world))
        else:
            pytest.fail(f"{name or route}: add it to POST_ROUTES or GET_ROUTES")
        response = client.post(path, {"text": "no token", "kind": "accept"})
        # A route that only reads may also refuse the method outright.
        read_only_refusal = name in GET_ROUTES and response.status_code == 405
        assert refused_for_csrf(response) or read_only_refusal, (
            f"{name or route} {path}: {response.status_code}"
        )
        checked.append(path)
    assert len(checked) > len(POST_ROUTES) + len(GET_ROUTES)
    # Nothing the requests asked for happened.
    assert not Comment.objects.filter(text="no token").exists()
    world.review_question.refresh_from_db()
    assert world.review_question.status != "accepted"
    world.release.refresh_from_db()
    assert world.release.status == "frozen"


def test_an_anonymous_post_to_the_sign_in_pages_needs_the_token_too(world: World) -> None:
    client = csrf_client(None)
    for path in ("/accounts/login/", "/admin/login/", "/accounts/password_reset/"):
        response = client.post(path, {"username": "cora", "password": "whatever"})
        assert refused_for_csrf(response), path


@pytest.mark.parametrize("name", sorted(POST_ROUTES))
def test_the_same_post_with_the_token_gets_past_the_check(world: World, name: str) -> None:
    user = world.evaluator if name == "baselines:answer" else world.curator
    client = csrf_client(user)
    # Any page with a form sets the cookie the token is checked against.
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    path = reverse(name, kwargs=POST_ROUTES[name](world))
    if name == "videos:upload-chunk":  # chunks are sent with PUT
        response = client.put(path, b"x", HTTP_X_CSRFTOKEN=token)
    else:
        response = client.post(path, {"csrfmiddlewaretoken": token}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code < 500, f"{name}: {response.status_code}"
    assert not refused_for_csrf(response), f"{name}: {response.content[:300]!r}"
    assert response.status_code != 405, name


def test_an_htmx_post_with_the_header_from_the_page_succeeds(world: World) -> None:
    client = csrf_client(world.reviewer)
    page = client.get(f"/questions/{world.review_question.uid}/")
    match = re.search(r"<body hx-headers='([^']+)'>", page.content.decode())
    assert match, "the page hands htmx its CSRF header"
    headers = json.loads(match.group(1))
    assert set(headers) == {"X-CSRFToken"}
    response = client.post(
        f"/questions/{world.review_question.uid}/comment",
        {"text": "sent by htmx", "at": ""},
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN=headers["X-CSRFToken"],
    )
    assert response.status_code == 200
    assert "sent by htmx" in response.content.decode()
    assert Comment.objects.filter(text="sent by htmx", author=world.reviewer).exists()
    # Without the header the same htmx request is refused.
    refused = client.post(
        f"/questions/{world.review_question.uid}/comment",
        {"text": "no header", "at": ""},
        HTTP_HX_REQUEST="true",
    )
    assert refused_for_csrf(refused)
    assert not Comment.objects.filter(text="no header").exists()


def test_the_csrf_cookie_is_not_readable_by_scripts(world: World) -> None:
    client = Client()
    client.get("/accounts/login/")
    assert client.cookies["csrftoken"]["httponly"]
