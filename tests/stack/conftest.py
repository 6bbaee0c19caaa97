"""The loopback stack for tests: skipped, with the reason, where a part of it is missing."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.stack.loopback import LoopbackStack, collect_static, nginx_binary


def stack_missing() -> str | None:
    """Why the loopback stack cannot run here, or None."""
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        return "the loopback stack needs PostgreSQL: set DATABASE_URL=postgres://..."
    if not os.environ.get("REDIS_URL"):
        return "the loopback stack needs Redis: set REDIS_URL=redis://..."
    if nginx_binary() is None:
        return "the loopback stack needs nginx (apt-get install nginx; .ci/run installs it)"
    if importlib.util.find_spec("moto") is None:
        return "the loopback stack needs moto[server] (requirements-dev.txt)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = stack_missing()
    if reason is None:
        return
    for item in items:
        if item.get_closest_marker("stack") is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def static_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """collectstatic's output, made once and shared by every stack of the session."""
    return collect_static(tmp_path_factory.mktemp("stack-var"))


@pytest.fixture(scope="module", params=["s3", "nginx"])
def stack(request: pytest.FixtureRequest, static_dir: Path) -> Iterator[LoopbackStack]:
    """The whole stack, once with media on S3 and once with media sent by nginx."""
    running = LoopbackStack(
        database_url=os.environ["DATABASE_URL"],
        redis_url=os.environ["REDIS_URL"],
        media_serving=request.param,
        static_from=static_dir,
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()
