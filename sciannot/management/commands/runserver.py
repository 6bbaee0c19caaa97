"""`manage.py runserver`: Django's development server (static files included, as
django.contrib.staticfiles adds them), answering kept-alive connections without an idle wait
(sciannot.devserver). sciannot comes first in INSTALLED_APPS, so this command is the one run.
"""

from __future__ import annotations

from django.contrib.staticfiles.management.commands.runserver import Command as StaticRunserver

from sciannot.devserver import WSGIServer


class Command(StaticRunserver):
    server_cls = WSGIServer
