"""Admin for accounts and invitations (invitations are made and revoked on their own page)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from sciannot.accounts.models import Invitation, User
from sciannot.admin_views import ViewOnlyAdmin


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


@admin.register(Invitation)
class InvitationAdmin(ViewOnlyAdmin):
    list_display = ["email", "role", "invited_by", "created_at", "expires_at", "used_by"]
    list_filter = ["role"]
    search_fields = ["email"]
    exclude = ["token_hash"]
