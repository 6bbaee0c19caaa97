"""Creating and updating accounts."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from sciannot.accounts.models import Role, User
from videos.taxonomy import KNOWN_DISCIPLINES, Category


class AccountError(ValueError):
    """Bad input for an account; the message is meant for the person who gave it."""


def _canonical_scope_name(name: str) -> str:
    cleaned = " ".join(name.split())
    for known in (*KNOWN_DISCIPLINES, *Category.values):
        if known.lower() == cleaned.lower():
            return known
    # A discipline outside the reference list is fine once some question uses it; before
    # that it is most likely a typo that would silently leave the reviewer with nothing.
    from reviews.models import Question

    if cleaned and Question.objects.filter(discipline=cleaned).exists():
        return cleaned
    raise AccountError(
        f"unknown discipline or category {name!r}; known: "
        + ", ".join(sorted({*KNOWN_DISCIPLINES, *Category.values}))
    )


def user_upsert(
    *,
    username: str,
    role: str,
    password: str | None,
    disciplines: Sequence[str] = (),
    email: str = "",
    check_password_strength: bool = False,
) -> tuple[User, bool]:
    """Create the account or update its role, disciplines and (when given) password.

    Returns the user and whether it was created.
    """
    username = username.strip()
    if not username:
        raise AccountError("the user name is empty")
    if role not in Role.values:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(Role.values)}")
    scope = sorted({_canonical_scope_name(name) for name in disciplines})
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        created = user is None
        if user is None:
            if not password:
                raise AccountError("a new account needs --password")
            user = User(username=username)
        if password:
            if check_password_strength:
                try:
                    validate_password(password, user)
                except ValidationError as exc:
                    raise AccountError("; ".join(exc.messages)) from exc
            user.set_password(password)
        user.role = role
        user.disciplines = scope
        if email:
            user.email = email
        # Curators run the whole benchmark, the admin included.
        user.is_staff = user.is_superuser = role == Role.CURATOR
        user.save()
    return user, created
