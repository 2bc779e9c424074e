from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.demo import seed_demo_cases
from hits.demo import seed_demo_hit
from selec.demo import demo_allowed, demo_password, seed_demo_personas, seed_demo_reviews
from selec.reference import load_reference_data


class Command(BaseCommand):
    help = (
        "Create the demo personas (lo.ro, nfp.bg, obs.at, analyst, ...) with TOTP devices, and "
        "sample cases and exchanges that make a hit (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--personas-only",
            action="store_true",
            help="Reference data and personas only, no sample cases or exchanges (the test "
            "databases start so: each test creates the exchanges it counts on).",
        )

    def handle(self, *args: object, **options: object) -> None:
        if not demo_allowed():
            raise CommandError("Demo personas have a known password: refused in production.")
        load_reference_data()
        officers = seed_demo_personas(demo_password())
        if not options["personas_only"]:
            seed_demo_cases()
            seed_demo_hit()
            seed_demo_reviews()
        self.stdout.write(f"Demo personas ready: {', '.join(o.username for o in officers)}.")
