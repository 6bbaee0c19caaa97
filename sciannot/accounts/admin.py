"""Admin for accounts and invitations (invitations are made and revoked on their own page)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from sciannot.accounts.models import Invitation, Role, User
from sciannot.admin_views import ViewOnlyAdmin
from sciannot.seal import seal_check_role


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "role", "disciplines", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Role", {"fields": ("role", "disciplines")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("Role", {"fields": ("role", "disciplines")}),
    )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # The admin edits the row directly, so it asks the seal as the services do: an
        # evaluator of an open blind study may not be given a role that shows keys.
        seal_check_role(user=obj, role=obj.role, disciplines=obj.disciplines or [])
        if obj.is_staff or obj.is_superuser:
            seal_check_role(user=obj, role=Role.CURATOR, disciplines=[])
        super().save_model(request, obj, form, change)


@admin.register(Invitation)
class InvitationAdmin(ViewOnlyAdmin):
    list_display = ["email", "role", "invited_by", "created_at", "expires_at", "used_by"]
    list_filter = ["role"]
    search_fields = ["email"]
    exclude = ["token_hash"]
