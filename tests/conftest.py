"""Shared fixtures: personas, tiny generated videos, item files, a real Celery worker.

The suite's settings (its own SQLite file, media and broker folders under var/test, so it
never touches the data of a `make run` in the same checkout) are in tests/settings.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.factories import make_item  # noqa: F401 - re-exported for tests

ROOT = Path(__file__).resolve().parent.parent
TEST_VAR = ROOT / "var" / "test"


def pytest_configure(config: pytest.Config) -> None:
    """Start from empty broker and media folders under var/test (tests/settings.py)."""
    from django.conf import settings

    from sciannot.folders import create_local_folders

    if settings.SETTINGS_MODULE != "tests.settings":
        raise pytest.UsageError(
            f"the suite runs with tests.settings, not {settings.SETTINGS_MODULE!r}: "
            "unset DJANGO_SETTINGS_MODULE (pyproject.toml names the test settings)"
        )
    shutil.rmtree(TEST_VAR / "broker", ignore_errors=True)
    shutil.rmtree(TEST_VAR / "media", ignore_errors=True)
    create_local_folders()
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://...")
    skip_redis = pytest.mark.skip(reason="needs Redis: set REDIS_URL=redis://...")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# --- Personas ----------------------------------------------------------------------------------


@pytest.fixture
def benchmark(db: None) -> Any:
    from videos.models import Benchmark

    return Benchmark.objects.default()


def _user(username: str, role: str, disciplines: list[str] | None = None) -> Any:
    from sciannot.accounts.models import User

    user = User.objects.create_user(username=username, password="pw-" + username, role=role)
    user.disciplines = disciplines or []
    user.save()
    return user


@pytest.fixture
def curator(db: None) -> Any:
    return _user("cora", "curator")


@pytest.fixture
def reviewer(db: None) -> Any:
    """A biologist: covers the Biology category (Biology, Bioengineering, Biochemistry)."""
    return _user("bea", "reviewer", ["Biology"])


@pytest.fixture
def outsider(db: None) -> Any:
    """A physicist reviewer, who must not see biology or chemistry items."""
    return _user("phil", "reviewer", ["Physics"])


@pytest.fixture
def evaluator(db: None) -> Any:
    return _user("eva", "evaluator")


# --- Item files --------------------------------------------------------------------------------


@pytest.fixture
def write_items(tmp_path: Path) -> Callable[..., Path]:
    """Write items (dicts, or raw strings for broken lines) as JSONL or a JSON array."""
    counter = iter(range(1_000_000))

    def write(items: list[Any], *, fmt: str = "jsonl", name: str | None = None) -> Path:
        path = tmp_path / (name or f"items-{next(counter)}.{fmt}")
        if fmt == "json":
            path.write_text(json.dumps(items, ensure_ascii=False, indent=2), encoding="utf-8")
        else:
            lines = [i if isinstance(i, str) else json.dumps(i, ensure_ascii=False) for i in items]
            path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        return path

    return write


# --- Videos ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tiny real videos, generated once per session: 160x90, 5 fps."""
    from videos.synthetic import make_synthetic_video

    folder = tmp_path_factory.mktemp("videos")
    scenes = [(0.0, "Setup"), (5.0, "Mixing"), (10.0, "Heating"), (15.0, "Readout")]
    make_synthetic_video(
        folder / "jove_1001.mp4", duration=20, width=160, height=90, fps=5, scenes=scenes
    )
    make_synthetic_video(
        folder / "jove_1002.mkv",
        duration=12,
        width=160,
        height=90,
        fps=5,
        scenes=scenes[:3],
        container_format="matroska",
    )
    (folder / "1001.vtt").write_text(
        "WEBVTT\n\n00:00.000 --> 00:05.000\nThe sample is set up.\n\n"
        "00:05.000 --> 00:10.000\nThe reagents are mixed at a 1:10 ratio.\n\n"
        "00:10.000 --> 00:15.000\nThe flask is heated to 80 degrees.\n",
        encoding="utf-8",
    )
    return folder


# --- A real Celery worker ----------------------------------------------------------------------


def worker_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a worker process needs to use the test database and folders."""
    from django.conf import settings
    from django.db import connection

    env = dict(os.environ)
    # The app's settings, pointed at the suite's database and folders by the variables below.
    env["DJANGO_SETTINGS_MODULE"] = "sciannot.settings"
    env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
    env["SCIANNOT_VAR_DIR"] = str(TEST_VAR)
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        env["SCIANNOT_SQLITE_PATH"] = str(db["NAME"])
    else:
        user = db.get("USER") or ""
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        auth = f"{user}{password}@" if user else ""
        env["DATABASE_URL"] = (
            f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/"
            f"{db['NAME']}"
        )
    env.update(extra or {})
    return env


def start_worker(
    extra_env: dict[str, str] | None = None, *, beat: bool = False, log_name: str = "worker.log"
) -> subprocess.Popen[bytes]:
    """Start a real `celery worker` process (with beat embedded if asked)."""
    log = open(TEST_VAR / log_name, "ab")  # noqa: SIM115 - the process owns it
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "sciannot",
        "worker",
        "--loglevel=INFO",
        "--concurrency=1",
        "--pool=solo",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    if beat:
        command += ["--beat", f"--schedule={TEST_VAR / 'celerybeat-schedule'}"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=worker_env(extra_env), stdout=log, stderr=subprocess.STDOUT
    )
    log.close()
    return process


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[subprocess.Popen[bytes]]:
    """A real `celery worker` process on the configured broker and the test database."""
    (TEST_VAR / "worker.log").write_bytes(b"")
    process = start_worker()
    try:
        yield process
    finally:
        stop_worker(process)


def closed_port() -> int:
    """A loopback TCP port nothing listens on (it was free a moment ago)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Point this process's Celery app at another broker, dropping its pooled connections."""
    from sciannot.celery import app

    saved = app.conf.broker_url
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        app.conf.broker_url = saved
        app._pool = None
        app.amqp._producer_pool = None


@pytest.fixture
def dead_broker_url() -> str:
    """A Redis URL on a loopback port where nothing answers: a broker that is really down."""
    return f"redis://127.0.0.1:{closed_port()}/0"


@pytest.fixture
def broker_down(settings: Any, dead_broker_url: str) -> Iterator[str]:
    """The broker is unreachable for the health check and for every send of this process."""
    # The app reads its configuration from the settings once, at first use: entering
    # celery_broker first makes that happen with the real broker, which it then restores.
    with celery_broker(dead_broker_url):
        settings.CELERY_BROKER_URL = dead_broker_url
        yield dead_broker_url


def wait_for(check: Callable[[], bool], *, timeout: float = 60.0, what: str = "") -> None:
    """Poll `check` until it is true; fail with the worker log when it never becomes true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    log = (TEST_VAR / "worker.log").read_text(errors="replace")[-3000:]
    pytest.fail(f"timed out waiting for {what or 'condition'}; worker log:\n{log}")


@pytest.fixture
def frozen_releases_cleared(transactional_db: None) -> Iterator[None]:
    """Let a transactional test's database be emptied after it froze releases.

    PostgreSQL empties tables with TRUNCATE, which the row triggers that keep releases frozen
    do not see; SQLite deletes row by row, so the test's releases are removed here with
    those triggers lifted for that moment.
    """
    yield
    import importlib

    from django.db import connection, transaction

    if connection.vendor != "sqlite":
        return
    triggers = importlib.import_module("releases.migrations.0002_frozen_means_frozen")
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in triggers.SQLITE_DOWN:
            cursor.execute(statement)
        # Studies, model runs and what they hold point at releases and their items: they go
        # first.
        tables = ["baselines_answer", "baselines_participation", "baselines_study"]
        tables += ["baselines_evalcall", "baselines_evalitem", "baselines_evaluation"]
        tables += ["baselines_prediction", "baselines_modelrun"]
        tables += [f"releases_{t}" for t in ("releaseitem", "releasefile", "release_readers")]
        for table in [*tables, "releases_release"]:
            cursor.execute(f"DELETE FROM {table}")
        for statement in triggers.SQLITE_UP:
            cursor.execute(statement)


# --- The browser ------------------------------------------------------------------------------
# One Chromium for the whole session: Playwright's sync API cannot start a second instance
# while the first one's event loop runs in this thread, so every browser test shares it.

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail("browser tests need Chromium at /usr/bin/chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread for as long as the
    # browser lives; the ORM calls that tests and fixtures make meanwhile are synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous
