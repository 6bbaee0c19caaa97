"""`manage.py add_user NAME --role ROLE --password PW [--discipline D]...`"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from sciannot.accounts.models import Role
from sciannot.accounts.services import AccountError, user_upsert
from sciannot.seal import Sealed


class Command(BaseCommand):
    help = "Create an account, or update its role, password and disciplines."

    def add_arguments(self, parser: ArgumentParser) -> None:
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
