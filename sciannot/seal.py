"""The blind-study seal: which questions a person may not see the key of, right now.

While a blind baseline study is open, none of its evaluators may obtain the key, rationale or
evidence notes of any of its questions by any route: a release download, another release or
version that carries the same question, the review pages, the admin, or a role that would
show them. A question is the same question whatever release or version carries it (the live
question a released item was frozen from), and a person stays sealed whatever their current
role is. Closing the study lifts the seal.

Every path that can reveal a key asks here. The studies live in a higher layer (baselines),
which registers a provider in its `AppConfig.ready()`; this module only holds the policy.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied

from sciannot.accounts.models import Role


class Sealed(PermissionDenied):
    """A request that would show keys to an evaluator of an open blind study. Pages answer
    403 with the message, the API 403 with it as `detail`; it always names the studies."""

    def __init__(self, message: str, studies: Iterable[str]) -> None:
        super().__init__(message)
        self.studies = sorted(set(studies))


class SealProvider(Protocol):
    """What the studies' app answers about open studies (ids are primary keys)."""

    def studies_of(self, user_id: int) -> list[str]:
        """Names of the open studies `user_id` takes part in."""
        ...

    def sealed_for(self, user_id: int) -> dict[int, list[str]]:
        """Question id → names of the open studies that seal it for `user_id`."""
        ...

    def studies_over(self, questions: Any, user_id: int | None) -> list[str]:
        """Names of the open studies holding any of `questions` (ids, or a query of ids);
        only those `user_id` takes part in when given."""
        ...


_providers: list[SealProvider] = []


def seal_register(provider: SealProvider) -> None:
    """Called once by the app that owns studies, from its `AppConfig.ready()`."""
    if not any(type(known) is type(provider) for known in _providers):
        _providers.append(provider)


def _user_id(user: Any) -> int | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    pk = getattr(user, "pk", None)
    return pk if isinstance(pk, int) else None


def _named(studies: Iterable[str], *, blind: bool = True) -> str:
    names = sorted(set(studies))
    label = "study" if len(names) == 1 else "studies"
    return f"the open{' blind' if blind else ''} {label} {', '.join(names)}"


def open_studies_of(user: Any) -> list[str]:
    """Names of the open studies `user` answers in (empty for everyone else)."""
    user_id = _user_id(user)
    if user_id is None:
        return []
    return sorted({name for p in _providers for name in p.studies_of(user_id)})


def sealed_questions(user: Any) -> dict[int, list[str]]:
    """Question ids sealed for `user`, each with the open studies sealing it."""
    user_id = _user_id(user)
    sealed: dict[int, list[str]] = {}
    if user_id is None:
        return sealed
    for provider in _providers:
        for question_id, names in provider.sealed_for(user_id).items():
            sealed[question_id] = sorted({*sealed.get(question_id, []), *names})
    return sealed


def sealing_studies(*, questions: Any, user: Any = None) -> list[str]:
    """Open studies holding any of `questions` (ids or a query of ids): the studies of
    `user` when given, any open study otherwise."""
    user_id = _user_id(user) if user is not None else None
    if user is not None and user_id is None:
        return []
    return sorted({name for p in _providers for name in p.studies_over(questions, user_id)})


def seal_check_questions(*, user: Any, questions: Any, what: str = "these questions") -> None:
    """Refuse when `user` is sealed from any of `questions` (ids or a query of ids)."""
    studies = sealing_studies(questions=questions, user=user) if _user_id(user) else []
    if studies:
        raise Sealed(
            f"{what} include questions {user.username} is answering blind in "
            f"{_named(studies)}; their keys stay hidden until the study is closed",
            studies,
        )


def seal_check_question(*, user: Any, question: Any) -> None:
    """Refuse when `user` is sealed from `question` (a question or its id)."""
    question_id = getattr(question, "pk", question)
    studies = sealed_questions(user).get(question_id, [])
    if studies:
        label = getattr(question, "uid", None) or f"#{question_id}"
        raise Sealed(
            f"question {label} is sealed for {user.username}, who is answering it blind in "
            f"{_named(studies)}; its key stays hidden until the study is closed",
            studies,
        )


def seal_check_any(*, user: Any, what: str = "this page") -> None:
    """Refuse a page that shows keys of every question (the admin) to anyone sealed."""
    studies = open_studies_of(user)
    if studies:
        raise Sealed(
            f"{what} shows keys, and {user.username} is answering blind in {_named(studies)} "
            "until the study is closed",
            studies,
        )


def seal_check_public(*, questions: Any, what: str) -> None:
    """Refuse to let anyone download `questions` while an open study holds one of them."""
    studies = sealing_studies(questions=questions)
    if studies:
        raise Sealed(
            f"{what} is under {_named(studies)}: close it before making the release public",
            studies,
        )


def seal_check_reader(*, reader: Any, questions: Any, what: str) -> None:
    """Refuse to name `reader` as someone who may download `questions` while sealed."""
    studies = sealing_studies(questions=questions, user=reader)
    if studies:
        raise Sealed(
            f"{reader.username} is answering {what} blind in {_named(studies, blind=False)}",
            studies,
        )


def seal_check_role(*, user: Any, role: str, disciplines: Iterable[str]) -> None:
    """Refuse a role or disciplines that would show keys to an evaluator of an open study:
    only the evaluator role without disciplines keeps the seal intact."""
    if role == Role.EVALUATOR and not [d for d in disciplines if d]:
        return
    studies = open_studies_of(user)
    if studies:
        raise Sealed(
            f"{user.username} is answering blind in {_named(studies)}: they may not become "
            f"a {role} or review disciplines until the study is closed",
            studies,
        )
