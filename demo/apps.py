from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo: data files under `demo/data/` and the `seed_demo` command that loads them.

    It sits above every other app and seeds each through that app's own services; nothing
    below it imports it.
    """

    name = "demo"
    verbose_name = "Demo data"
