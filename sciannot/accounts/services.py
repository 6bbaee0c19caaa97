"""Accounts: creating and updating them, invitations, roles and disciplines, deactivation and
API tokens. Pages, the admin and the CLI all change accounts through these functions."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from rest_framework.authtoken.models import Token

from sciannot.accounts.hooks import disciplines_in_use, work_release
from sciannot.accounts.models import Invitation, InvitationStatus, Role, User
from sciannot.conflicts import Conflict, serialize_on
from sciannot.moments import moment_text
from sciannot.seal import seal_check_role
from sciannot.taxonomy import KNOWN_DISCIPLINES, Category

logger = logging.getLogger(__name__)


class AccountError(ValueError):
    """Bad input for an account; the message is meant for the person who gave it."""


class InvitationClash(AccountError, Conflict):
    """The address has an active account or a pending invitation already."""


class UsernameTaken(AccountError, Conflict):
    """Someone has the user name (found first, or taken at the same moment)."""

    def __init__(self, username: str) -> None:
        super().__init__(f"the user name {username!r} is taken; choose another")


def _canonical_scope_name(name: str) -> str:
    cleaned = " ".join(name.split())
    for known in (*KNOWN_DISCIPLINES, *Category.values):
        if known.lower() == cleaned.lower():
            return known
    # A discipline outside the reference list is fine once some question uses it; before
    # that it is most likely a typo that would silently leave the reviewer with nothing.
    if cleaned and cleaned in disciplines_in_use():
        return cleaned
    raise AccountError(
        f"unknown discipline or category {name!r}; known: "
        + ", ".join(sorted({*KNOWN_DISCIPLINES, *Category.values}))
    )


def _set_role(user: User, role: str, disciplines: list[str]) -> None:
    # Every role change passes here: an evaluator of an open blind study keeps the role that
    # shows no keys until the study closes (raises Sealed, naming it).
    seal_check_role(user=user, role=role, disciplines=disciplines)
    user.role = role
    user.disciplines = disciplines
    # Curators run the whole benchmark, the admin included; no other role keeps those rights.
    user.is_staff = user.is_superuser = role == Role.CURATOR


def _check_column_length(model: type[Model], field: str, value: str, *, what: str) -> None:
    """Refuse a text longer than its column holds (the database would refuse it with an
    error instead of a reason)."""
    limit = getattr(model._meta.get_field(field), "max_length", None)
    if limit is not None and len(value) > limit:
        raise AccountError(f"{what} is {len(value):,} characters long; the limit is {limit:,}")


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
    _check_column_length(User, "username", username, what="the user name")
    _check_column_length(User, "email", email.strip(), what="the email address")
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
        _set_role(user, role, scope)
        if email:
            user.email = email
        user.save()
    return user, created


def _scope_for_role(role: str, disciplines: Sequence[str]) -> list[str]:
    """The disciplines an account of `role` keeps: reviewers need at least one, others none."""
    if role not in Role.values:
        raise AccountError(f"unknown role {role!r}; use one of {', '.join(Role.values)}")
    scope = sorted({_canonical_scope_name(name) for name in disciplines if name.strip()})
    if role == Role.REVIEWER and not scope:
        raise AccountError("a reviewer needs at least one discipline or category to review")
    if role != Role.REVIEWER and scope:
        raise AccountError("only reviewers have disciplines; clear them for this role")
    return scope


def active_curators() -> QuerySet[User]:
    """Accounts that can run the benchmark (superusers count as curators)."""
    return User.objects.filter(is_active=True).filter(Q(role=Role.CURATOR) | Q(is_superuser=True))


def _lock_for_change(user: User) -> User:
    """Lock the active curators' rows (in key order), then `user`'s, and return it fresh.

    Every change of a role or of who is active takes its locks in this order, so two curators
    demoting or deactivating each other at the same moment queue up instead of deadlocking,
    and the second one sees the first one's change.
    """
    list(active_curators().select_for_update().order_by("pk").values_list("pk", flat=True))
    return User.objects.select_for_update().get(pk=user.pk)


def _refuse_losing_last_curator(user: User) -> None:
    """Raise when `user` is the only active curator left (call it under `_lock_for_change`)."""
    if list(active_curators().values_list("pk", flat=True)) == [user.pk]:
        raise AccountError(f"{user.username} is the last active curator; make another one first")


# --- Invitations -------------------------------------------------------------------------------


class InvitationUnavailable(Exception):
    """The invitation link cannot be used: unknown, or no longer pending (`status` says why)."""

    def __init__(self, status: str | None) -> None:
        self.status = status
        reasons: dict[str | None, str] = {
            None: "This invitation link is not valid.",
            InvitationStatus.USED: "This invitation has already been used.",
            InvitationStatus.EXPIRED: "This invitation has expired.",
            InvitationStatus.REVOKED: "This invitation was withdrawn.",
        }
        super().__init__(reasons.get(status, "This invitation cannot be used."))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a link's token opens (found by the token's hash), or None."""
    return Invitation.objects.filter(token_hash=_token_hash(token)).first()


def invitation_create(
    *, email: str, role: str, disciplines: Sequence[str] = (), invited_by: User
) -> tuple[Invitation, str]:
    """Invite `email` to join with `role`; returns the invitation and its one-time token.

    The token itself is never stored: whoever loses it asks for a new invitation.
    """
    email = email.strip()
    _check_column_length(Invitation, "email", email, what="the email address")
    try:
        validate_email(email)
    except ValidationError as exc:
        raise AccountError(f"{email!r} is not an email address") from exc
    scope = _scope_for_role(role, disciplines)
    with transaction.atomic():
        # Two curators inviting one address at once: the second sees the first's invitation.
        serialize_on(f"invitation:{email.lower()}")
        if User.objects.filter(email__iexact=email, is_active=True).exists():
            raise InvitationClash(f"an active account already uses {email}")
        now = timezone.now()
        pending = Invitation.objects.filter(
            email__iexact=email, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        )
        if pending.exists():
            raise InvitationClash(
                f"{email} already has a pending invitation; revoke it to send another"
            )
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            email=email,
            role=role,
            disciplines=scope,
            token_hash=_token_hash(token),
            invited_by=invited_by,
            expires_at=now + timedelta(days=settings.INVITATION_DAYS),
        )
    return invitation, token


def invitation_send(*, invitation: Invitation, link: str) -> bool:
    """Email the link to the invitee; False when the mail server refused it (the curator can
    still pass the link on by hand)."""
    inviter = invitation.invited_by.username if invitation.invited_by else "A curator"
    body = (
        f"{inviter} invites you to sciannot as {invitation.get_role_display().lower()}.\n\n"
        f"Choose your user name and password here:\n{link}\n\n"
        f"The link works once and expires on {moment_text(invitation.expires_at)}.\n"
    )
    try:
        send_mail("Your invitation to sciannot", body, None, [invitation.email])
    except (OSError, ValueError):
        # SMTP failures are OSErrors; a mail that cannot be built is a ValueError.
        logger.exception("could not email invitation %s", invitation.pk)
        return False
    return True


def _check_new_username(username: str) -> str:
    username = username.strip()
    if not username:
        raise AccountError("choose a user name")
    if len(username) > 150:
        raise AccountError("the user name is longer than 150 characters")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise AccountError("; ".join(exc.messages)) from exc
    # Case-insensitively, so "Bea" and "bea" can never be two people.
    if User.objects.filter(username__iexact=username).exists():
        raise UsernameTaken(username)
    return username


def invitation_accept(*, token: str, username: str, password: str) -> User:
    """Create the invitee's account with the invitation's role; the invitation is used up.

    The invitation is claimed by a conditional UPDATE in the same transaction that creates the
    account, so of two simultaneous attempts exactly one gets an account.
    """
    invitation = invitation_for_token(token)
    if invitation is None:
        raise InvitationUnavailable(None)
    status = invitation.status_at(timezone.now())
    if status != InvitationStatus.PENDING:
        raise InvitationUnavailable(status)
    username = _check_new_username(username)
    candidate = User(username=username, email=invitation.email)
    try:
        validate_password(password, candidate)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages)) from exc
    try:
        with transaction.atomic():
            now = timezone.now()
            claimed = Invitation.objects.filter(
                pk=invitation.pk,
                used_at__isnull=True,
                revoked_at__isnull=True,
                expires_at__gt=now,
            ).update(used_at=now)
            if not claimed:
                invitation.refresh_from_db()
                raise InvitationUnavailable(invitation.status_at(now))
            user = User(username=username, email=invitation.email)
            _set_role(user, invitation.role, list(invitation.disciplines))
            user.set_password(password)
            user.save()
            Invitation.objects.filter(pk=invitation.pk).update(used_by=user)
    except IntegrityError as exc:
        # Someone took the user name between the check and the insert.
        raise UsernameTaken(username) from exc
    return user


def invitation_revoke(*, invitation: Invitation) -> bool:
    """Withdraw a pending invitation; False when it was already used or revoked."""
    revoked = Invitation.objects.filter(
        pk=invitation.pk, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    invitation.refresh_from_db()
    return bool(revoked)


# --- Roles, disciplines and deactivation ------------------------------------------------------


def user_set_access(*, user: User, role: str, disciplines: Sequence[str], by: User) -> User:
    """Change an account's role and the disciplines it reviews."""
    scope = _scope_for_role(role, disciplines)
    if user.pk == by.pk and role != Role.CURATOR:
        raise AccountError("you cannot take away your own curator role")
    with transaction.atomic():
        locked = _lock_for_change(user)
        if role != Role.CURATOR and locked.is_active and locked.is_curator:
            _refuse_losing_last_curator(locked)
        _set_role(locked, role, scope)
        locked.save(update_fields=["role", "disciplines", "is_staff", "is_superuser"])
    user.refresh_from_db()
    return user


@dataclass(frozen=True)
class Deactivation:
    sessions_ended: int
    token_revoked: bool
    holds_released: int
    assignments_cleared: int


def _end_sessions(user: User) -> int:
    """Delete every stored session signed in as `user`.

    Only stores that can list their sessions (the database, with or without a cache in front)
    can be searched; with cache-only or cookie sessions the account's inactive flag still
    refuses them on every request.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    get_model_class = getattr(store_class, "get_model_class", None)
    if get_model_class is None:
        return 0
    ended = 0
    rows = get_model_class().objects.filter(expire_date__gt=timezone.now())
    for key, data in rows.values_list("session_key", "session_data").iterator():
        store = store_class(session_key=key)
        if store.decode(data).get(SESSION_KEY) == str(user.pk):
            store.delete(key)
            ended += 1
    return ended


def user_deactivate(*, user: User, by: User) -> Deactivation:
    """Close an account but keep its history: decisions, revisions, comments and answers stay
    with the person's name. Their sessions end, their API token is revoked, and the review
    items they held or were assigned go back to the shared queue."""

    if user.pk == by.pk:
        raise AccountError("you cannot deactivate your own account")
    with transaction.atomic():
        locked = _lock_for_change(user)
        if not locked.is_active:
            raise AccountError(f"{locked.username} is already inactive")
        if locked.is_curator:
            _refuse_losing_last_curator(locked)
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        token_revoked = Token.objects.filter(user=locked).delete()[0] > 0
        released = work_release(locked)
        sessions = _end_sessions(locked)
    user.refresh_from_db()
    return Deactivation(
        sessions_ended=sessions,
        token_revoked=token_revoked,
        holds_released=released.holds,
        assignments_cleared=released.assignments,
    )


def user_reactivate(*, user: User) -> bool:
    """Open a deactivated account again (it makes a new API token if it needs one)."""
    changed = User.objects.filter(pk=user.pk, is_active=False).update(is_active=True)
    user.refresh_from_db()
    return bool(changed)


# --- API tokens -----------------------------------------------------------------------------------


def token_create(*, user: User) -> Token:
    """A new API token for `user`, replacing any they had (the old key stops working)."""
    if not user.is_active:
        raise AccountError("an inactive account cannot have an API token")
    with transaction.atomic():
        # Two tabs regenerating at once take turns (the later key wins, as one after the
        # other); unlocked, both would insert and one would hit the one-token-per-user key.
        User.objects.select_for_update().filter(pk=user.pk).first()
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def token_revoke(*, user: User) -> bool:
    """Delete `user`'s API token; False when they had none."""
    return Token.objects.filter(user=user).delete()[0] > 0
