"""The README's screenshots: every image the docs show exists and is small, every PNG in
docs/screenshots/ is one `make screenshots` takes, and the script's list of shots points at
pages and demo logins that exist (taking them needs minutes of video generation: `make
screenshots` does that, not the suite)."""

from __future__ import annotations

import importlib.util
import re
import struct
import sys
from pathlib import Path
from types import ModuleType

import pytest
from django.urls import Resolver404, resolve

from demo.seed import load_accounts

ROOT = Path(__file__).resolve().parent.parent
SHOTS_DIR = ROOT / "docs" / "screenshots"
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts/screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up while the class is made.
    sys.modules["screenshots"] = module
    spec.loader.exec_module(module)
    return module


def png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_every_image_the_docs_show_exists_with_alt_text() -> None:
    problems = []
    for page in PAGES:
        text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
        for alt, target in IMAGE.findall(text):
            if re.match(r"^[a-z]+:", target):
                continue
            image = (page.parent / target).resolve()
            if not image.is_file():
                problems.append(f"{page.relative_to(ROOT)}: {target} does not exist")
            elif not alt.strip():
                problems.append(f"{page.relative_to(ROOT)}: {target} has no alt text")
    assert problems == []


def test_the_screenshots_are_the_scripts_and_small() -> None:
    shots = {shot.name: shot for shot in script().SHOTS}
    pngs = sorted(SHOTS_DIR.glob("*.png"))
    assert pngs, "docs/screenshots/ has no PNG: run `make screenshots`"
    stale = [png.name for png in pngs if png.stem not in shots]
    assert stale == [], f"not taken by scripts/screenshots.py any more: {stale}"
    total = 0
    for png in pngs:
        size = png.stat().st_size
        total += size
        assert size < 400 * 1024, f"{png.name} is {size // 1024} KB"
        # A viewport shot at the size the script names (device pixels = CSS pixels).
        assert png_size(png) == shots[png.stem].viewport, png.name
    assert total < 2 * 1024 * 1024, f"the screenshots weigh {total // 1024} KB"
    # The main pages of each role are there.
    for name in ("reviewer-review", "curator-release", "curator-leaderboard", "phone-review"):
        assert (SHOTS_DIR / f"{name}.png").is_file(), name


def test_the_shot_list_names_real_pages_and_demo_logins() -> None:
    module = script()
    accounts = {account.username: account for account in load_accounts()}
    places = {"release", "leaderboard", "closed-study", "open-study", "drafting-job"}
    for shot in module.SHOTS:
        assert shot.role in accounts, shot.name
        assert accounts[shot.role].role == shot.role
        assert module.PASSWORDS[shot.role] == accounts[shot.role].password
        if shot.path.startswith("/"):
            try:
                resolve(shot.path)
            except Resolver404:
                pytest.fail(f"{shot.name}: {shot.path} is no page")
        else:
            assert shot.path in places, shot.name
    names = [shot.name for shot in module.SHOTS]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z]+-[a-z-]+", name) for name in names)
