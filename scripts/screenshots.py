"""Regenerate the README's screenshots (`make screenshots`): docs/screenshots/<name>.png.

Everything happens in a temporary folder of its own (SQLite database, media, broker), so the
user's data is never touched: migrate, seed the whole demo inline (videos, the frozen release,
the studies, the model runs), start `manage.py runserver` on a free port, sign in as each demo
role in headless Chromium and save a viewport screenshot of each page in SHOTS. The server is
stopped and the folder removed at the end, whatever happens.

    .venv/bin/python scripts/screenshots.py [--only NAME]... [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = (1440, 900)
PHONE = (390, 844)
# The demo logins (demo/data/accounts.json).
PASSWORDS = {"curator": "curator-demo", "reviewer": "reviewer-demo", "evaluator": "evaluator-demo"}
# Settings read from the environment that could point the run at the user's own data.
FOREIGN = (
    "DATABASE_URL",
    "REDIS_URL",
    "STORAGE",
    "MEDIA_ROOT",
    "SCIANNOT_SQLITE_PATH",
    "UPLOAD_BUFFER_DIR",
    "DJANGO_SETTINGS_MODULE",
)


@dataclass(frozen=True)
class Shot:
    """One screenshot: docs/screenshots/<name>.png of `path` as `role`. `path` is a URL path,
    or a name in the `places` that `demo_places` looks up in the seeded database."""

    name: str
    role: str
    path: str
    caption: str
    viewport: tuple[int, int] = DESKTOP


SHOTS: tuple[Shot, ...] = (
    Shot("reviewer-queue", "reviewer", "/questions/", "The reviewer's queue"),
    Shot("reviewer-review", "reviewer", "/questions/next/", "Reviewing an item"),
    Shot("curator-videos", "curator", "/videos/", "The videos"),
    Shot("curator-adjudication", "curator", "/questions/adjudication/", "Adjudication"),
    Shot("curator-drafting", "curator", "drafting-job", "A drafting job"),
    Shot("curator-release", "curator", "release", "A frozen release"),
    Shot("curator-study", "curator", "closed-study", "A closed baseline study"),
    Shot("curator-leaderboard", "curator", "leaderboard", "The leaderboard"),
    Shot("evaluator-answering", "evaluator", "open-study", "Answering in a baseline study"),
    Shot("phone-review", "reviewer", "/questions/next/", "Reviewing on a phone", PHONE),
    Shot("phone-answering", "evaluator", "open-study", "Answering on a phone", PHONE),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def isolated_env(var_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in FOREIGN}
    env["SCIANNOT_VAR_DIR"] = str(var_dir)
    env["DJANGO_DEBUG"] = "true"
    env.pop("DJANGO_SECRET_KEY", None)
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True
    )


def demo_places() -> dict[str, str]:
    """The paths of the seeded objects the shots name (release, studies, drafting job…)."""
    import django

    django.setup()
    from baselines.models import Study, StudyStatus
    from drafting.models import DraftJob
    from releases.models import Release, ReleaseStatus

    places: dict[str, str] = {}
    release = Release.objects.filter(status=ReleaseStatus.FROZEN).order_by("pk").first()
    if release is not None:
        places["release"] = f"/releases/{release.pk}/"
        places["leaderboard"] = f"/leaderboard/{release.pk}/test/"
    closed = Study.objects.filter(status=StudyStatus.CLOSED).order_by("pk").first()
    if closed is not None:
        places["closed-study"] = f"/baseline/studies/{closed.pk}/"
    opened = (
        Study.objects.filter(status=StudyStatus.OPEN, participants__evaluator__username="evaluator")
        .order_by("pk")
        .first()
    )
    if opened is not None:
        places["open-study"] = f"/baseline/{opened.pk}/"
    job = DraftJob.objects.order_by("pk").first()
    if job is not None:
        places["drafting-job"] = f"/drafting/jobs/{job.pk}/"
    return places


def wait_for(url: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - our own server
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise SystemExit(f"the server did not answer {url} within {seconds:.0f} s")


def sign_in(page: Any, role: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=username]", role)
    page.fill("input[name=password]", PASSWORDS[role])
    page.click("[data-testid=login]")
    page.wait_for_load_state("load")
    if "/accounts/login/" in page.url:
        raise SystemExit(f"could not sign in as {role}")


def take(
    browser: Any, base_url: str, shots: list[Shot], places: dict[str, str], out: Path
) -> list[str]:
    """Save every shot; return the ones that could not be taken (with why)."""
    missed = []
    for role in dict.fromkeys(shot.role for shot in shots):
        for viewport in (DESKTOP, PHONE):
            group = [s for s in shots if s.role == role and s.viewport == viewport]
            if not group:
                continue
            width, height = viewport
            context = browser.new_context(
                base_url=base_url, viewport={"width": width, "height": height}
            )
            page = context.new_page()
            try:
                sign_in(page, role)
                for shot in group:
                    path = shot.path if shot.path.startswith("/") else places.get(shot.path)
                    if path is None:
                        # Not seeded on this version of the demo: nothing to show, no failure.
                        print(f"  skipped {shot.name}: the demo has no {shot.path}")
                        continue
                    response = page.goto(path)
                    if response is None or not response.ok:
                        status = response.status if response else "no response"
                        missed.append(f"{shot.name}: {path} answered {status}")
                        continue
                    page.wait_for_load_state("networkidle")
                    settle(page)
                    target = out / f"{shot.name}.png"
                    page.screenshot(path=str(target), caret="hide")
                    shrink(target)
                    print(f"  {target}  {target.stat().st_size // 1024} KB")
            finally:
                context.close()
    return missed


def shrink(png: Path) -> None:
    """256 colours are plenty for a page of text and a poster frame, at a third of the size."""
    from PIL import Image

    with Image.open(png) as image:
        small = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
    small.save(png, optimize=True)


def settle(page: Any) -> None:
    """Let posters and the players' first frames load so the shot is not half drawn."""
    page.evaluate(
        """() => Promise.all([...document.images].filter(i => !i.complete).map(
             i => new Promise(done => { i.onload = i.onerror = done; })))"""
    )
    # Buffer the players until they can play, and give Chromium's controls time to fade their
    # loading spinner out (a shot with animations frozen would keep it).
    page.evaluate(
        """() => Promise.all([...document.querySelectorAll('video')].map(v =>
             v.readyState >= 3 ? null : new Promise(done => {
               v.addEventListener('canplay', done, {once: true});
               v.preload = 'auto';
               setTimeout(done, 8000); })))"""
    )
    page.wait_for_timeout(1500)
    page.mouse.move(0, 0)


def run(shots: list[Shot], out: Path, log: Callable[[str], None] = print) -> list[str]:
    from playwright.sync_api import sync_playwright

    var_dir = Path(tempfile.mkdtemp(prefix="sciannot-screenshots-"))
    env = isolated_env(var_dir)
    server: subprocess.Popen[bytes] | None = None
    try:
        log("Migrating and seeding the whole demo in a temporary folder (a few minutes)…")
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        manage(env, "seed_demo")
        os.environ.update(env)
        for key in FOREIGN:
            os.environ.pop(key, None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "sciannot.settings"
        places = demo_places()
        port = free_port()
        base_url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(f"{base_url}/accounts/login/", server)
        out.mkdir(parents=True, exist_ok=True)
        log(f"Taking {len(shots)} screenshots from {base_url}:")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
            )
            try:
                return take(browser, base_url, shots, places, out)
            finally:
                browser.close()
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(var_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", default=[], help="Only this shot (repeats).")
    parser.add_argument("--out", type=Path, default=OUT, help="Folder for the PNGs.")
    args = parser.parse_args(argv)
    unknown = set(args.only) - {shot.name for shot in SHOTS}
    if unknown:
        parser.error(f"no such shot: {', '.join(sorted(unknown))}")
    if not os.path.exists(CHROMIUM):
        parser.error("screenshots need Chromium at /usr/bin/chromium (apt-get install chromium)")
    shots = [shot for shot in SHOTS if not args.only or shot.name in args.only]
    missed = run(shots, args.out.resolve())
    for line in missed:
        print(f"missed {line}", file=sys.stderr)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
