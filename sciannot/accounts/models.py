"""People who use sciannot and the role that decides what each may see and do."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    CURATOR = "curator", "Curator"
    REVIEWER = "reviewer", "Expert reviewer"
    EVALUATOR = "evaluator", "Baseline evaluator"


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.REVIEWER)
    # Names of disciplines or categories a reviewer covers; a reviewer sees every item whose
    # discipline or category is one of them.
    disciplines = models.JSONField(default=list, blank=True)

    class Meta:
        db_table = "accounts_user"

    @property
    def is_curator(self) -> bool:
        # The one role check; it lives with the permissions, which import this module.
        from sciannot.accounts.permissions import has_role

        return has_role(self, Role.CURATOR)

    @property
    def is_reviewer(self) -> bool:
        return self.is_active and self.role == Role.REVIEWER

    def __str__(self) -> str:
        return self.username


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    USED = "used", "Used"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class Invitation(models.Model):
    """A curator's invitation to join with a role, redeemed once through a secret link.

    Only the sha256 of the link's token is stored, so a database dump cannot be used to claim
    pending invitations.
    """

    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices)
    disciplines = models.JSONField(default=list, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="invitation_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"invitation of {self.email} as {self.role}"

    def status_at(self, now: datetime) -> str:
        if self.used_at is not None:
            return InvitationStatus.USED
        if self.revoked_at is not None:
            return InvitationStatus.REVOKED
        if self.expires_at <= now:
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING
