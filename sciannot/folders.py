"""The local folders the settings name, created when the app starts rather than on import.

Importing the settings writes nothing, so a settings module can be imported (by mypy, by a
probe, by a test that only reads a value) without touching the disk. The folders that must be
there before anything else runs are made by `create_local_folders`, which
`sciannot.apps.SciannotConfig.ready()` calls in every process (web, worker, beat, commands):

- the SQLite file's folder (and its test database's), when no DATABASE_URL is set;
- the filesystem broker's folders, when no REDIS_URL is set (kombu lists them on every poll);
- STATIC_ROOT, which WhiteNoise reads as it starts.

Other folders (media, upload buffers, exports) are created where files are written.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


def local_folders() -> list[Path]:
    """The folders the current settings need before the app runs."""
    folders: list[Path] = []
    database = settings.DATABASES["default"]
    if str(database["ENGINE"]).endswith("sqlite3"):
        for name in (database.get("NAME"), database.get("TEST", {}).get("NAME")):
            if name and str(name) != ":memory:" and not str(name).startswith("file:"):
                folders.append(Path(name).parent)
    if str(settings.CELERY_BROKER_URL).startswith("filesystem://"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if options.get(key):
                folders.append(Path(str(options[key])))
    folders.append(Path(settings.STATIC_ROOT))
    return list(dict.fromkeys(folders))


def create_local_folders() -> list[Path]:
    """Create the folders `local_folders` names (those already there are left alone)."""
    folders = local_folders()
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return folders
