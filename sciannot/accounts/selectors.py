"""Reads of accounts and invitations, scoped to what the person asking may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from rest_framework.authtoken.models import Token

from sciannot.accounts.hooks import disciplines_in_use
from sciannot.accounts.models import Invitation, Role, User
from sciannot.accounts.permissions import has_role
from sciannot.taxonomy import KNOWN_DISCIPLINES, Category


def accounts_for(viewer: Any) -> QuerySet[User]:
    """Accounts `viewer` may list and manage: all of them for curators, none otherwise."""
    if not has_role(viewer, Role.CURATOR):
        return User.objects.none()
    return User.objects.order_by("-is_active", "role", "username")


def account_get_for_user(viewer: Any, pk: int) -> User:
    account = accounts_for(viewer).filter(pk=pk).first()
    if account is None:
        raise Http404("No such account.")
    return account


def invitations_for(viewer: Any) -> QuerySet[Invitation]:
    if not has_role(viewer, Role.CURATOR):
        return Invitation.objects.none()
    return Invitation.objects.select_related("invited_by", "used_by")


def invitation_get_for_user(viewer: Any, pk: int) -> Invitation:
    invitation = invitations_for(viewer).filter(pk=pk).first()
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def discipline_choices(*extra: str) -> list[str]:
    """The names a reviewer can cover: the reference disciplines and categories, any other
    discipline questions use, and whatever `extra` names an account already has."""
    return sorted({*KNOWN_DISCIPLINES, *Category.values, *extra, *disciplines_in_use()})


def token_of(user: Any) -> Token | None:
    """The API token of `user` (people only ever see their own)."""
    return Token.objects.filter(user=user).first()
