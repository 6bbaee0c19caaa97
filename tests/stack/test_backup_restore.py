"""scripts/backup.sh and scripts/restore.sh: a frozen release survives a restore byte for byte.

The database is dumped with pg_dump and restored into a new database with pg_restore, the
media folder is copied, and `export_release` run against the restored copy writes exactly
the files the original wrote; the triggers that keep releases frozen come back with it.
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.conftest import ROOT, worker_env
from tests.releases.conftest import accepted_items
from tests.stack.loopback import database_url_beside, server_connection


def run_script(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "scripts" / script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def export(env: dict[str, str], fmt: str, output: Path) -> bytes:
    subprocess.run(
        [
            *(sys.executable, "manage.py", "export_release", "backup-demo", "--version", "1.0.0"),
            *("--format", fmt, "--output", str(output)),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return output.read_bytes()


@pytest.fixture
def new_database() -> Iterator[str]:
    """An empty database beside the configured one, dropped afterwards."""
    base = os.environ["DATABASE_URL"]
    name = f"{urlsplit(base).path.lstrip('/')}_restore_{secrets.token_hex(4)}"
    with server_connection(base) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url_beside(base, name)
    finally:
        with server_connection(base) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def frozen(
    frozen_releases_cleared: None,
    write_items: Callable[..., Path],
    video_dir: Path,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(video_dir / "jove_1001.mp4", folder)
    call_command("import_videos", str(folder), stdout=io.StringIO())
    call_command(
        "import_questions",
        str(write_items(accepted_items())),
        "--status",
        "accepted",
        stdout=io.StringIO(),
    )
    call_command(
        "freeze_release",
        "backup-demo",
        "--version",
        "1.0.0",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_exports_the_same_bytes_and_stays_frozen(
    frozen: None, new_database: str, tmp_path: Path
) -> None:
    original_env = worker_env({"STORAGE": "local", "SCIANNOT_VAR_DIR": str(tmp_path / "var-a")})
    backups = tmp_path / "backups"
    made = run_script("backup.sh", str(backups), env=original_env)
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in backup.iterdir()) == ["SHA256SUMS", "db.dump", "media.tar"]

    restored_media = tmp_path / "restored-media"
    restored_env = {
        **original_env,
        "DATABASE_URL": new_database,
        "MEDIA_ROOT": str(restored_media),
        "SCIANNOT_VAR_DIR": str(tmp_path / "var-b"),
    }
    done = run_script("restore.sh", str(backup), env=restored_env)
    assert done.returncode == 0, done.stderr
    assert (restored_media / "videos").is_dir()

    for fmt in ("jsonl", "json"):
        before = export(original_env, fmt, tmp_path / f"before.{fmt}")
        after = export(restored_env, fmt, tmp_path / f"after.{fmt}")
        assert before == after
        assert len(after) > 1000

    import psycopg

    with psycopg.connect(new_database, autocommit=True) as conn:
        items = conn.execute("SELECT count(*) FROM releases_releaseitem").fetchone()
        assert items == (len(accepted_items()),)
        with pytest.raises(psycopg.errors.RaiseException, match="frozen release cannot be changed"):
            conn.execute("UPDATE releases_releaseitem SET question_id = 'x'")
        with pytest.raises(psycopg.errors.RaiseException, match="cannot be deleted"):
            conn.execute("DELETE FROM releases_release")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(
    frozen: None, new_database: str, tmp_path: Path
) -> None:
    env = worker_env({"STORAGE": "local", "SCIANNOT_VAR_DIR": str(tmp_path / "var")})
    backup = Path(run_script("backup.sh", str(tmp_path / "b"), env=env).stdout.strip())
    # The original database is in use: restoring over it must be refused.
    refused = run_script(
        "restore.sh", str(backup), env={**env, "MEDIA_ROOT": str(tmp_path / "empty")}
    )
    assert refused.returncode != 0
    assert "the database is not empty" in refused.stderr
    assert not (tmp_path / "empty").exists()

    # A media folder that already holds files is refused before the database is touched.
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    refused = run_script(
        "restore.sh",
        str(backup),
        env={**env, "DATABASE_URL": new_database, "MEDIA_ROOT": str(busy)},
    )
    assert refused.returncode != 0
    assert "is not empty" in refused.stderr
    assert [p.name for p in busy.iterdir()] == ["keep.txt"]
    import psycopg

    with psycopg.connect(new_database) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchone() == (0,)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_anything_is_written(
    frozen: None, new_database: str, tmp_path: Path
) -> None:
    env = worker_env({"STORAGE": "local", "SCIANNOT_VAR_DIR": str(tmp_path / "var")})
    backup = Path(run_script("backup.sh", str(tmp_path / "b"), env=env).stdout.strip())
    dump = backup / "db.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    refused = run_script(
        "restore.sh",
        str(backup),
        env={**env, "DATABASE_URL": new_database, "MEDIA_ROOT": str(tmp_path / "m")},
    )
    assert refused.returncode != 0
    assert "is damaged" in refused.stderr
    assert not (tmp_path / "m").exists()


def test_backup_needs_postgresql(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": "", "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    refused = run_script("backup.sh", str(tmp_path / "b"), env=env)
    assert refused.returncode != 0
    assert "DATABASE_URL is not set" in refused.stderr
    assert not (tmp_path / "b").exists()


def test_restore_needs_a_backup_folder(tmp_path: Path) -> None:
    refused = run_script("restore.sh", str(tmp_path / "nothing"), env=dict(os.environ))
    assert refused.returncode != 0
    assert "no backup folder at" in refused.stderr
