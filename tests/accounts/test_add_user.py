"""add_user: create or update accounts with roles and disciplines; clear one-line errors."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sciannot.accounts.models import User

pytestmark = pytest.mark.django_db


def add_user(*args: str) -> str:
    out = StringIO()
    call_command("add_user", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_reviewer_with_several_disciplines() -> None:
    out = add_user(
        "ada",
        "--role",
        "reviewer",
        "--password",
        "s3cret",
        "--discipline",
        "biology",
        "--discipline",
        "Chemistry",
    )
    user = User.objects.get(username="ada")
    assert user.role == "reviewer"
    assert user.disciplines == ["Biology", "Chemistry"]
    assert user.check_password("s3cret")
    assert "Created reviewer ada covering Biology, Chemistry." in out


def test_it_updates_an_existing_account_without_losing_it() -> None:
    add_user("ada", "--role", "reviewer", "--password", "one", "--discipline", "Physics")
    first_pk = User.objects.get(username="ada").pk
    out = add_user("ada", "--role", "curator", "--password", "two")
    user = User.objects.get(username="ada")
    assert user.pk == first_pk
    assert user.role == "curator" and user.is_staff
    assert user.check_password("two") and not user.check_password("one")
    assert user.disciplines == []
    assert out.startswith("Updated curator ada")


def test_it_keeps_the_password_when_none_is_given_on_update() -> None:
    add_user("ada", "--role", "evaluator", "--password", "keep-me")
    add_user("ada", "--role", "reviewer", "--discipline", "Medicine")
    user = User.objects.get(username="ada")
    assert user.check_password("keep-me") and user.disciplines == ["Medicine"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bob", "--role", "reviewer"], "a new account needs --password"),
        (
            ["bob", "--role", "reviewer", "--password", "x", "--discipline", "Biolgy"],
            "unknown discipline or category 'Biolgy'",
        ),
        (
            ["b" * 151, "--role", "reviewer", "--password", "x"],
            "the user name is 151 characters long; the limit is 150",
        ),
    ],
)
def test_it_rejects_bad_input_and_creates_nothing(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        add_user(*args)
    assert not User.objects.exists()


def test_it_rejects_an_unknown_role() -> None:
    with pytest.raises(CommandError):
        add_user("bob", "--role", "admin", "--password", "x")
    assert not User.objects.exists()


def test_it_takes_the_benchmark_option_of_every_command_and_refuses_an_unknown_one() -> None:
    # The contract: every command takes --benchmark. An account spans benchmarks, so a known
    # name changes nothing, and an unknown one is refused before any account is written.
    out = add_user("ada", "--role", "reviewer", "--password", "pw", "--benchmark", "default")
    assert "Created reviewer ada" in out
    with pytest.raises(CommandError, match="no benchmark named 'nope'"):
        add_user("bob", "--role", "reviewer", "--password", "pw", "--benchmark", "nope")
    assert not User.objects.filter(username="bob").exists()
