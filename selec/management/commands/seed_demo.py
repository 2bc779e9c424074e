from django.core.management.base import BaseCommand, CommandError

from selec.demo import demo_allowed, demo_password, seed_demo_personas
from selec.reference import load_reference_data


class Command(BaseCommand):
    help = "Create the demo personas (lo.ro, nfp.bg, obs.at, analyst, ...) with TOTP devices (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        if not demo_allowed():
            raise CommandError("Demo personas have a known password: refused in production.")
        load_reference_data()
        officers = seed_demo_personas(demo_password())
        self.stdout.write(f"Demo personas ready: {', '.join(o.username for o in officers)}.")
