"""A benchmark is the project a team builds; videos, questions and releases belong to one."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models


class BenchmarkManager(models.Manager["Benchmark"]):
    def default(self) -> Benchmark:
        """The benchmark used when none is named; created on first use."""
        benchmark, _ = self.get_or_create(
            name=settings.SCIANNOT_DEFAULT_BENCHMARK,
            defaults={"title": "Default benchmark"},
        )
        return benchmark


class Benchmark(models.Model):
    name = models.CharField(
        max_length=64,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", "Letters, digits, '.', '_' and '-'.")
        ],
        help_text="Short name used on the command line and in URLs.",
    )
    title = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    required_accepts = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="How many expert accepts an item needs before it counts as accepted.",
    )
    solve_first = models.BooleanField(
        default=False,
        help_text=(
            "Reviewers pick an answer before the key is shown; a wrong pick flags the item "
            "(the best catch for wrong keys and items with two right options)."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BenchmarkManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.title or self.name
