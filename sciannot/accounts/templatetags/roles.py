"""The role check for templates: the same `has_role` the views and the API ask."""

from __future__ import annotations

from typing import Any

from django import template

from sciannot.accounts.permissions import has_role as role_check

register = template.Library()


@register.filter
def has_role(user: Any, roles: str) -> bool:
    """`{% if user|has_role:"curator" %}` or `user|has_role:"curator,reviewer"`: signed in,
    active, and one of the roles (superusers count as curators)."""
    return role_check(user, *(role.strip() for role in roles.split(",")))
