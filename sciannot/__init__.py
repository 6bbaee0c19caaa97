"""sciannot: drafting, expert review and release of video-reasoning benchmarks."""

from __future__ import annotations

from sciannot.celery import app as celery_app

__all__ = ("__version__", "celery_app")
# The one place the version is written: pyproject.toml reads it from here, and the settings
# give it to release manifests (SCIANNOT_VERSION) and the API schema.
__version__ = "0.1.0"
