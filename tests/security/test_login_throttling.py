"""Repeated failed sign-ins lock that username out at that address for a while, on the
sign-in page and the admin's; nobody else is affected, and a reset or the cool-off ends it."""

from __future__ import annotations

from datetime import timedelta
from ipaddress import ip_network
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client, RequestFactory, override_settings

from sciannot.security import client_ip

LIMIT = 5


def sign_in(client: Client, username: str, password: str, path: str = "/accounts/login/") -> Any:
    return client.post(path, {"username": username, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(client: Client, username: str, times: int, path: str = "/accounts/login/") -> Any:
    response = None
    for _ in range(times):
        response = sign_in(client, username, "wrong password", path)
    return response


def assert_locked_out(response: Any) -> None:
    assert response.status_code == 429
    page = response.content.decode()
    assert 'data-testid="lockout"' in page
    assert "Too many sign-in attempts" in page
    assert f"failed {LIMIT} times in a row" in page
    assert "15 minutes" in page


@pytest.fixture
def users(db: None) -> tuple[Any, Any]:
    from sciannot.accounts.models import User

    ann = User.objects.create_user(username="ann", password="right-ann", role="reviewer")
    bob = User.objects.create_user(username="bob", password="right-bob", role="reviewer")
    return ann, bob


def test_it_allows_a_few_failures(users: Any) -> None:
    client = Client()
    response = fail(client, "ann", LIMIT - 1)
    assert response.status_code == 200
    assert "didn't match" in response.content.decode()
    response = sign_in(client, "ann", "right-ann")
    assert response.status_code == 302
    assert signed_in(client)


def test_it_locks_out_after_five_failures_even_with_the_right_password(users: Any) -> None:
    client = Client()
    assert_locked_out(fail(client, "ann", LIMIT))
    response = sign_in(client, "ann", "right-ann")
    assert_locked_out(response)
    assert "<strong>ann</strong>" in response.content.decode()
    assert not signed_in(client)
    assert AccessAttempt.objects.get(username="ann").failures_since_start >= LIMIT


def test_another_user_and_another_address_are_unaffected(users: Any) -> None:
    fail(Client(), "ann", LIMIT)
    same_address = Client()
    assert sign_in(same_address, "bob", "right-bob").status_code == 302
    assert signed_in(same_address)
    elsewhere = Client(REMOTE_ADDR="198.51.100.7")
    assert sign_in(elsewhere, "ann", "right-ann").status_code == 302
    assert signed_in(elsewhere)


def test_axes_reset_lets_the_user_in_again(users: Any) -> None:
    client = Client()
    fail(client, "ann", LIMIT)
    assert_locked_out(sign_in(client, "ann", "right-ann"))
    call_command("axes_reset", verbosity=0)
    assert sign_in(client, "ann", "right-ann").status_code == 302
    assert signed_in(client)


def test_the_lockout_ends_after_the_cool_off(users: Any) -> None:
    client = Client()
    fail(client, "ann", LIMIT)
    assert_locked_out(sign_in(client, "ann", "right-ann"))
    # As if the cool-off had passed since the last failure.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    assert sign_in(client, "ann", "right-ann").status_code == 302


def test_a_success_starts_the_count_again(users: Any) -> None:
    client = Client()
    fail(client, "ann", LIMIT - 1)
    assert sign_in(client, "ann", "right-ann").status_code == 302
    client.logout()
    fail(client, "ann", LIMIT - 1)
    assert sign_in(client, "ann", "right-ann").status_code == 302


def test_the_admin_sign_in_is_throttled_too(users: Any) -> None:
    from sciannot.accounts.models import User

    User.objects.create_superuser(username="root", password="right-root")
    client = Client()
    assert_locked_out(fail(client, "root", LIMIT, path="/admin/login/"))
    assert_locked_out(sign_in(client, "root", "right-root", path="/admin/login/"))
    # The same lock holds on the other sign-in page.
    assert_locked_out(sign_in(client, "root", "right-root"))
    assert not signed_in(client)


@override_settings(AXES_FAILURE_LIMIT=2)
def test_the_limit_comes_from_the_settings(users: Any) -> None:
    client = Client()
    assert fail(client, "ann", 1).status_code == 200
    assert fail(client, "ann", 1).status_code == 429


def test_a_forged_forwarded_for_header_does_not_escape_the_lockout(users: Any) -> None:
    client = Client()
    for n in range(LIMIT):
        client.post(
            "/accounts/login/",
            {"username": "ann", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    response = client.post(
        "/accounts/login/",
        {"username": "ann", "password": "right-ann"},
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    assert response.status_code == 429


@override_settings(TRUSTED_PROXIES=[ip_network("10.0.0.0/8")])
def test_behind_a_trusted_proxy_each_client_address_counts_apart(users: Any) -> None:
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for _ in range(LIMIT):
        proxy.post(
            "/accounts/login/",
            {"username": "ann", "password": "wrong"},
            HTTP_X_FORWARDED_FOR="203.0.113.5",
        )
    locked = proxy.post(
        "/accounts/login/",
        {"username": "ann", "password": "right-ann"},
        HTTP_X_FORWARDED_FOR="203.0.113.5",
    )
    assert locked.status_code == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"
    other = proxy.post(
        "/accounts/login/",
        {"username": "ann", "password": "right-ann"},
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert other.status_code == 302


def request_from(remote: str, forwarded: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_client_ip_believes_forwarded_for_only_from_trusted_proxies() -> None:
    assert client_ip(request_from("192.0.2.1", "203.0.113.9")) == "192.0.2.1"
    trusted = [ip_network("10.0.0.0/8"), ip_network("::1/128")]
    with override_settings(TRUSTED_PROXIES=trusted):
        # The right-most address no trusted proxy added is the client's; what the client
        # itself wrote further left is not believed.
        assert client_ip(request_from("10.0.0.2", "1.1.1.1, 203.0.113.9")) == "203.0.113.9"
        assert client_ip(request_from("10.0.0.2", "203.0.113.9, 10.0.0.7")) == "203.0.113.9"
        assert client_ip(request_from("::1", "2001:db8::5")) == "2001:db8::5"
        # No header, or garbage in it: the last hop that can be believed.
        assert client_ip(request_from("10.0.0.2")) == "10.0.0.2"
        assert client_ip(request_from("10.0.0.2", "nonsense, 10.0.0.7")) == "10.0.0.7"
        # A peer that is not a trusted proxy is the client, whatever it says.
        assert client_ip(request_from("192.0.2.1", "203.0.113.9")) == "192.0.2.1"


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_it_counts_an_over_long_name_as_a_failure_not_an_error(users: Any, path: str) -> None:
    # Anyone can type 300 characters; axes keeps the name in a 255-character column.
    client = Client()
    long_name = "x" * 300
    response = fail(client, long_name, LIMIT - 1, path)
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == long_name[:255]
    assert_locked_out(sign_in(client, long_name, "wrong password", path))
