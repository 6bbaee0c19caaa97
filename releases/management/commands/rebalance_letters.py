"""`manage.py rebalance_letters [--video ID]... [--category C]... [--type T]... [--apply]`:
propose new letters for some keys of the accepted items so that every letter is the key
about equally often; with `--apply`, re-letter them (all or none)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from releases.management.commands.freeze_release import add_filter_arguments, request_from_options
from releases.rebalance import RebalanceInvalid, rebalance_apply, rebalance_propose
from sciannot.accounts.models import Role, User
from sciannot.accounts.permissions import has_role
from videos.management.base import BenchmarkCommand


class Command(BenchmarkCommand):
    help = "Propose (and with --apply, make) re-letterings that even out the answer letters."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        add_filter_arguments(parser)
        parser.add_argument("--apply", action="store_true", help="Re-letter the items.")
        parser.add_argument(
            "--user",
            default="",
            help="The curator the revisions are recorded under (with --apply; required).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        benchmark = self.get_benchmark(options)
        curator = None
        if options["apply"]:
            curator = User.objects.filter(username=options["user"], is_active=True).first()
            if not has_role(curator, Role.CURATOR):
                raise CommandError(
                    f"--apply needs --user naming an active curator; {options['user']!r} is not one"
                )
        request = request_from_options(options, name="", version="")
        proposal = rebalance_propose(benchmark, request)
        letters = "".join(f"{letter:>6}" for letter in proposal.counts_before)
        self.stdout.write(f"{'':10}{letters}   p-value")
        for label, counts, p in (
            ("now", proposal.counts_before, proposal.p_before),
            ("proposed", proposal.counts_after, proposal.p_after),
        ):
            cells = "".join(f"{n:>6}" for n in counts.values())
            self.stdout.write(f"{label:10}{cells}   {p:.4f}")
        for reason, n in proposal.fixed.items():
            self.stdout.write(f"kept as they are: {n} item(s) that {reason}")
        for move in proposal.moves:
            self.stdout.write(
                f"{move.uid}  {move.video_id}#{move.question_id}  {move.before} -> {move.after}"
                f"  ({move.how})"
            )
        if not proposal.moves:
            self.stdout.write("Nothing to re-letter.")
            return
        if curator is None:
            self.stdout.write(
                f"{len(proposal.moves)} re-lettering(s) proposed; run again with --apply "
                "--user NAME to make them."
            )
            return
        try:
            changed = rebalance_apply(
                benchmark=benchmark,
                moves=[(m.uid, m.version, m.after) for m in proposal.moves],
                curator=curator,
            )
        except RebalanceInvalid as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Re-lettered {len(changed)} item(s).")
