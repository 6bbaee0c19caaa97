"""What the blind-study seal needs to know about open studies, registered with
`sciannot.seal` when the app is ready (lower layers ask through it, never import this)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from baselines.models import Participation, Study, StudyStatus
from releases.models import ReleaseItem


@dataclass(frozen=True)
class OpenStudy:
    name: str
    release_id: int
    split: str
    # The release items it covers when it draws a sample; None: the whole split.
    sample: frozenset[int] | None

    def items_q(self) -> Q:
        condition = Q(release_id=self.release_id, split=self.split)
        if self.sample is not None:
            condition &= Q(pk__in=self.sample)
        return condition


def open_studies(*, user_id: int | None = None, benchmark_id: int | None = None) -> list[OpenStudy]:
    """The open studies (of `user_id`, of `benchmark_id` when given) and what they cover."""
    studies = Study.objects.filter(status=StudyStatus.OPEN)
    if user_id is not None:
        studies = studies.filter(participants__evaluator_id=user_id)
    if benchmark_id is not None:
        studies = studies.filter(benchmark_id=benchmark_id)
    rows = list(studies.values_list("pk", "name", "release_id", "split", "sample_size"))
    if not rows:
        return []
    # Only sampled studies need their item list (a whole split is the release's split).
    samples = dict(
        Study.objects.filter(pk__in=[r[0] for r in rows if r[4] is not None]).values_list(
            "pk", "items"
        )
        if any(r[4] is not None for r in rows)
        else []
    )
    return [
        OpenStudy(
            name=name,
            release_id=release_id,
            split=split,
            sample=frozenset(samples[pk]) if sample_size is not None else None,
        )
        for pk, name, release_id, split, sample_size in rows
    ]


class StudySeal:
    """The seal's provider: open studies, their evaluators and their questions."""

    def studies_of(self, user_id: int) -> list[str]:
        return list(
            Participation.objects.filter(
                evaluator_id=user_id, study__status=StudyStatus.OPEN
            ).values_list("study__name", flat=True)
        )

    def sealed_for(self, user_id: int) -> dict[int, list[str]]:
        studies = open_studies(user_id=user_id)
        if not studies:
            return {}
        condition = Q(pk__in=[])
        for study in studies:
            condition |= study.items_q()
        sealed: dict[int, list[str]] = {}
        for pk, release_id, split, source_id in ReleaseItem.objects.filter(condition).values_list(
            "pk", "release_id", "split", "source_id"
        ):
            for study in studies:
                if (study.release_id, study.split) == (release_id, split) and (
                    study.sample is None or pk in study.sample
                ):
                    sealed.setdefault(source_id, []).append(study.name)
        return sealed

    def studies_over(self, questions: Any, user_id: int | None) -> list[str]:
        return [
            study.name
            for study in open_studies(user_id=user_id)
            if ReleaseItem.objects.filter(study.items_q(), source_id__in=questions).exists()
        ]
