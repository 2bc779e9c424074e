"""Recompute the entities' blind-index tokens under the current scheme (see
``hits.reindex``). Run it after a new BLIND_INDEX_KEY (with BLIND_INDEX_KEY_ID raised) or
a release that changes the normalisation; ``--check`` only counts what is stale."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hits.blind_index import current_scheme
from hits.reindex import Reindexed, entities_reindex, entities_to_reindex


class Command(BaseCommand):
    help = "Recompute the entities' blind-index tokens that are not of the current scheme."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--all", action="store_true", help="Recompute every entity's tokens, stale or not."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing: count the entities with stale tokens, and fail if there are any.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scheme = current_scheme()
        stale = entities_to_reindex().count()
        if options["check"]:
            if stale:
                raise CommandError(
                    f"{stale} entities hold tokens of another scheme than {scheme}: "
                    f"run reindex_entities."
                )
            self.stdout.write(f"Every entity's tokens are of the current scheme ({scheme}).")
            return
        total = entities_to_reindex(everything=True).count() if options["all"] else stale
        self.stdout.write(f"Recomputing the tokens of {total} entities under {scheme}...")

        def report(done: Reindexed) -> None:
            self.stdout.write(f"  {done.entities} / {total} entities, {done.changed} changed")

        done = entities_reindex(everything=options["all"], progress=report)
        self.stdout.write(
            self.style.SUCCESS(
                f"{done.entities} entities reindexed under {scheme}; {done.changed} had other "
                f"tokens and will be matched again."
            )
        )
