"""People who use sciannot and the role that decides what each may see and do."""

from __future__ import annotations

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
        return self.is_active and (self.role == Role.CURATOR or self.is_superuser)

    @property
    def is_reviewer(self) -> bool:
        return self.is_active and self.role == Role.REVIEWER

    @property
    def is_evaluator(self) -> bool:
        return self.is_active and self.role == Role.EVALUATOR

    def __str__(self) -> str:
        return self.username
