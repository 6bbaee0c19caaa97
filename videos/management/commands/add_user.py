"""`manage.py add_user NAME --role ROLE --password PW [--discipline D]... [--benchmark B]`

An accounts command that lives in `videos` because, like every command of the project, it
takes `--benchmark` and refuses an unknown one, and benchmarks are defined here: accounts
(the bottom layer) know nothing of them. An account is not tied to a benchmark.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from sciannot.accounts.models import Role
from sciannot.accounts.services import AccountError, user_upsert
from sciannot.seal import Sealed
from videos.management.base import BenchmarkCommand


class Command(BenchmarkCommand):
    help = "Create an account, or update its role, password and disciplines."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password", default=None)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--discipline",
            action="append",
            default=[],
            help="A discipline or category the reviewer covers; repeat for several.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.get_benchmark(options)
        try:
            user, created = user_upsert(
                username=options["username"],
                role=options["role"],
                password=options["password"],
                disciplines=options["discipline"],
                email=options["email"],
            )
        except (AccountError, Sealed) as exc:
            raise CommandError(str(exc)) from exc
        scope = f" covering {', '.join(user.disciplines)}" if user.disciplines else ""
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {user.role} {user.username}{scope}.")
