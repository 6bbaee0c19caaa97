"""docker-compose.yml refuses to start without the database's and the object store's secrets."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = shutil.which("docker-compose")
SECRETS = {
    "POSTGRES_PASSWORD": "a-database-password",
    "AWS_ACCESS_KEY_ID": "a-store-user",
    "AWS_SECRET_ACCESS_KEY": "a-store-password",
}

pytestmark = pytest.mark.skipif(COMPOSE is None, reason="needs docker-compose")


def compose_config(tmp_path: Path, variables: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # An empty env file, so a developer's .env beside the compose file is not read.
    env_file = tmp_path / "empty.env"
    env_file.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    env.update(variables)
    assert COMPOSE is not None
    return subprocess.run(
        [COMPOSE, "--env-file", str(env_file), "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_compose_file_is_valid_with_the_secrets_set(tmp_path: Path) -> None:
    result = compose_config(tmp_path, SECRETS)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_a_missing_secret_stops_compose_and_is_named(tmp_path: Path, missing: str) -> None:
    for value in (None, ""):
        variables = {k: v for k, v in SECRETS.items() if k != missing}
        if value is not None:
            variables[missing] = value
        result = compose_config(tmp_path, variables)
        assert result.returncode != 0
        assert f"set {missing} in .env" in result.stderr


def test_no_secret_has_a_default_in_the_compose_file() -> None:
    compose = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    for name in SECRETS:
        assert f"${{{name}:-" not in compose and f"${{{name}-" not in compose
        assert f"${{{name}:?" in compose
