"""An evaluator answers a small study in the browser, by mouse and by keyboard; closing the
page resumes on the same item; a time limit ends an item by itself."""

from __future__ import annotations

import re
from typing import Any

import pytest

from baselines.models import Answer, Study
from releases.models import Release
from tests.baselines.conftest import evan, open_study, release  # noqa: F401
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def question_on(page: Any) -> str:
    return page.inner_text("[data-testid=question]")


def test_an_evaluator_completes_a_study_by_mouse_and_keyboard(
    page: Any,
    release: Release,  # noqa: F811
    evaluator: Any,
    frozen_releases_cleared: None,
) -> None:
    open_study(
        "small", "--release", "svb", "--version", "1.0.0", "--evaluators", "eva", "--items", "3"
    )
    study = Study.objects.get()
    sign_in(page, "eva", "pw-eva")
    page.goto("/")
    page.click(f"[data-testid=start-{study.pk}]")
    page.wait_for_url(re.compile(rf"/baseline/{study.pk}/$"))
    assert "item 1 of 3" in page.inner_text("main")
    first = question_on(page)
    # By mouse.
    page.click("[data-testid=choice-B]")
    page.click("[data-testid=submit-answer]")
    page.wait_for_function(
        "first => document.querySelector('[data-testid=question]').innerText !== first", arg=first
    )
    assert "item 2 of 3" in page.inner_text("main")
    # By keyboard: 3 picks C, Enter submits.
    second = question_on(page)
    page.keyboard.press("3")
    assert page.is_checked("[data-testid=choice-C] input")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "q => document.querySelector('[data-testid=question]').innerText !== q", arg=second
    )
    # Close the tab and come back: the same item.
    third = question_on(page)
    page.close()
    again = page.context.new_page()
    again.goto(f"/baseline/{study.pk}/")
    assert question_on(again) == third
    again.keyboard.press("0")
    again.click("[data-testid=submit-answer]")
    again.locator("[data-testid=study-done]").wait_for()
    letters = list(Answer.objects.order_by("answered_at").values_list("letter", flat=True))
    assert letters == ["B", "C", "J"]


def test_the_time_limit_ends_an_item_in_the_page(
    page: Any,
    release: Release,  # noqa: F811
    evaluator: Any,
    frozen_releases_cleared: None,
) -> None:
    open_study(
        "timed", "--release", "svb", "--version", "1.0.0", "--evaluators", "eva",
        "--items", "2", "--time-limit", "2",
    )  # fmt: skip
    study = Study.objects.get()
    sign_in(page, "eva", "pw-eva")
    page.goto(f"/baseline/{study.pk}/")
    first = question_on(page)
    assert re.match(r"\d s left", page.inner_text("[data-testid=timer]"))
    # Nothing is clicked: at zero the page moves on by itself.
    page.wait_for_function(
        "q => document.querySelector('[data-testid=question]') &&"
        " document.querySelector('[data-testid=question]').innerText !== q",
        arg=first,
        timeout=15_000,
    )
    answer = Answer.objects.get(answered_at__isnull=False)
    assert answer.timed_out and answer.letter == ""
