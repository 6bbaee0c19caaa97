"""Every page fits the screen it is opened on: at a phone's 390×844 no page scrolls
sideways and the navigation folds into a menu; at 1440×900 the review page's edit mode
fits the window, its long options in text areas that grow with their text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from tests.browser.conftest import sign_in
from tests.security.world import PASSWORD, World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}

# Whatever sticks out past the window's right edge, named, so a failure says what.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (box.right > width + 0.5 || box.left < -0.5) {
      const classes = typeof el.className === 'string' && el.className
        ? '.' + el.className.split(' ').join('.') : '';
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + classes +
        ' ' + Math.round(box.left) + '..' + Math.round(box.right));
    }
  }
  return {
    scroll: document.documentElement.scrollWidth, inner: window.innerWidth, out: out.slice(0, 8),
  };
}"""


@pytest.fixture
def world(
    transactional_db: None, frozen_releases_cleared: None, tmp_path: Path, video_dir: Path
) -> World:
    return build_world(tmp_path, video_dir)


def pages(world: World) -> dict[str, list[str]]:
    """Every page of the CSP tour, the home page, and the pages of the navigation's
    account links."""
    extra = ["/", reverse("accounts:token"), reverse("password_change")]
    curator_extra = [
        reverse("accounts:users"),
        reverse("accounts:user", args=[world.reviewer.pk]),
        reverse("accounts:invitations"),
        reverse("videos:upload"),
    ]
    tour = world.pages()
    return {
        "curator": tour["curator"] + extra + curator_extra,
        "reviewer": tour["reviewer"] + extra,
        "evaluator": tour["evaluator"] + extra,
    }


def assert_fits(page: Any, where: str) -> None:
    found = page.evaluate(OVERFLOW)
    assert found["scroll"] <= found["inner"], f"{where} scrolls sideways: {found}"


def assert_menu_folds(page: Any, where: str) -> dict[str, Any]:
    """Open and fold the menu; what overflowed while it was open."""
    toggle = page.locator("[data-testid=nav-toggle]")
    assert toggle.is_visible(), f"{where}: no menu button at phone width"
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("[data-testid=sign-out]").is_visible(), f"{where}: menu not folded"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("[data-testid=sign-out]").is_visible(), f"{where}: no sign-out in menu"
    found: dict[str, Any] = page.evaluate(OVERFLOW)
    # Escape folds it again and gives the focus back to the button.
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("[data-testid=sign-out]").is_visible()
    return found


def test_every_page_fits_a_phone_and_its_navigation_folds(
    browser: Any, live_server: Any, world: World
) -> None:
    users = {"curator": world.curator, "reviewer": world.reviewer, "evaluator": world.evaluator}
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    visited = 0
    too_wide = []
    try:
        for role, paths in pages(world).items():
            context.clear_cookies()
            sign_in(page, users[role].username, PASSWORD)
            assert "/accounts/login/" not in page.url, f"{role} could not sign in"
            for path in paths:
                response = page.goto(path)
                assert response is not None and response.ok, f"{role} {path}"
                page.wait_for_load_state("load")
                found = page.evaluate(OVERFLOW)
                if found["scroll"] > found["inner"]:
                    too_wide.append((f"{role} {path}", found))
                if not path.startswith("/admin/"):
                    found = assert_menu_folds(page, f"{role} {path}")
                    if found["scroll"] > found["inner"]:
                        too_wide.append((f"{role} {path} (menu open)", found))
                visited += 1
        assert visited == sum(len(paths) for paths in pages(world).values())
        assert too_wide == [], "pages that scroll sideways at 390px:\n" + "\n".join(
            f"{where}: {found}" for where, found in too_wide
        )
    finally:
        context.close()


def test_the_player_stacks_above_the_question_on_a_phone(
    browser: Any, live_server: Any, world: World
) -> None:
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    try:
        sign_in(page, world.reviewer.username, PASSWORD)
        page.goto(f"/questions/{world.review_question.uid}/")
        player = page.locator("video[data-testid=player]").bounding_box()
        accept = page.locator("[data-testid=accept]").bounding_box()
        assert player is not None and accept is not None
        assert player["x"] >= 0 and player["x"] + player["width"] <= PHONE["width"]
        assert player["y"] + player["height"] <= accept["y"], "the question is beside the player"
        # Scrolled down to the buttons, nothing of the player's column is drawn over them.
        page.locator("[data-testid=accept]").scroll_into_view_if_needed()
        covered = page.evaluate(
            """() => { const b = document.querySelector('[data-testid=accept]');
                 const r = b.getBoundingClientRect();
                 const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                 return !(top && b.contains(top)); }"""
        )
        assert not covered, "the player's column covers the buttons when scrolled"

        context.clear_cookies()
        sign_in(page, world.evaluator.username, PASSWORD)
        page.goto(f"/baseline/{world.study.pk}/")
        player = page.locator("video").first.bounding_box()
        choice = page.locator("[data-testid=choice-A]").bounding_box()
        assert player is not None and choice is not None
        assert player["x"] + player["width"] <= PHONE["width"]
        assert player["y"] + player["height"] <= choice["y"], "the question is beside the player"
    finally:
        context.close()


def test_the_menu_opens_from_the_keyboard(browser: Any, live_server: Any, world: World) -> None:
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    try:
        sign_in(page, world.curator.username, PASSWORD)
        page.goto("/questions/")
        toggle = page.locator("[data-testid=nav-toggle]")
        toggle.focus()
        page.keyboard.press("Enter")
        assert toggle.get_attribute("aria-expanded") == "true"
        assert page.locator("nav a", has_text="Releases").is_visible()
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        assert focused == "Videos", "the first link is not next in the tab order"
        page.keyboard.press("Escape")
        assert toggle.get_attribute("aria-expanded") == "false"
        assert page.evaluate("document.activeElement.dataset.testid") == "nav-toggle"
    finally:
        context.close()


def test_the_wide_layout_shows_the_navigation_without_a_menu(
    browser: Any, live_server: Any, world: World
) -> None:
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    try:
        sign_in(page, world.curator.username, PASSWORD)
        page.goto("/questions/")
        assert not page.locator("[data-testid=nav-toggle]").is_visible()
        assert page.locator("[data-testid=sign-out]").is_visible()
        assert page.locator("nav a", has_text="Releases").is_visible()
    finally:
        context.close()


LONG = (
    "A deliberately long option that names the reagent, the instrument and the step in"
    " full, so that it cannot fit on one line of the form and must wrap onto several"
)


def test_edit_mode_fits_the_window_and_long_options_grow(
    browser: Any, live_server: Any, world: World
) -> None:
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, bypass_csp=True)
    page = context.new_page()
    try:
        sign_in(page, world.reviewer.username, PASSWORD)
        page.goto(f"/questions/{world.review_question.uid}/")
        page.click("[data-testid=edit]")
        form = page.locator("[data-testid=edit-form]")
        form.wait_for()
        assert_fits(page, "edit mode")
        widest = page.evaluate(
            """() => Math.max(...[...document.querySelectorAll('[data-testid=edit-form] *')]
                 .map(el => el.getBoundingClientRect().right))"""
        )
        assert widest <= DESKTOP["width"], f"a field of the form ends at {widest}px"

        option = page.locator("[data-testid=edit-option-C]")
        assert option.evaluate("el => el.tagName") == "TEXTAREA"
        one_line = option.bounding_box()["height"]
        option.fill(LONG + " " + LONG)
        grown = option.bounding_box()["height"]
        assert grown > one_line * 1.8, f"the option did not grow: {one_line} -> {grown}"
        # Its whole text is on screen: nothing is scrolled away inside the field.
        assert option.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
        assert_fits(page, "edit mode with a long option")

        # The same at a phone's width.
        page.set_viewport_size(PHONE)
        assert_fits(page, "edit mode on a phone")

        # An option is one line: Enter saves the form rather than breaking the line.
        option.press("Enter")
        page.locator("[data-testid=flash]").wait_for()
        assert page.locator("[data-testid=option-C]").inner_text() == LONG + " " + LONG
        world.review_question.refresh_from_db()
        assert world.review_question.options.get(letter="C").text == LONG + " " + LONG
    finally:
        context.close()


def test_text_areas_grow_where_the_browser_cannot_size_them_itself(
    browser: Any, live_server: Any, world: World
) -> None:
    """The script's fallback for browsers without `field-sizing: content` (Firefox, Safari):
    here Chromium is made to look like one of them."""
    context = browser.new_context(base_url=live_server.url, viewport=DESKTOP, bypass_csp=True)
    context.add_init_script(
        "const supports = CSS.supports.bind(CSS);"
        "CSS.supports = (...a) => String(a[0]).startsWith('field-sizing') ? false : supports(...a);"
    )
    page = context.new_page()
    try:
        sign_in(page, world.reviewer.username, PASSWORD)
        page.goto(f"/questions/{world.review_question.uid}/edit")
        page.add_style_tag(content="textarea[data-grow] { field-sizing: fixed !important; }")
        option = page.locator("[data-testid=edit-option-C]")
        one_line = option.bounding_box()["height"]
        option.fill(LONG + " " + LONG)
        grown = option.bounding_box()["height"]
        assert grown > one_line * 1.8, f"the option did not grow: {one_line} -> {grown}"
        assert option.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
        assert_fits(page, "edit mode without field-sizing")
    finally:
        context.close()
