from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from partners.models import Officer
from selec.demo import current_totp, demo_allowed


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo persona (development and test only)."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("username")

    def handle(self, *args: object, **options: object) -> None:
        if not demo_allowed():
            raise CommandError(
                "demo_totp is refused in production: codes come from the officer's device."
            )
        try:
            officer = Officer.objects.get(username=options["username"])
            self.stdout.write(current_totp(officer))
        except Officer.DoesNotExist:
            raise CommandError(f"No officer named {options['username']!r}.") from None
        except TOTPDevice.DoesNotExist:
            raise CommandError(f"{officer.username} has no TOTP device.") from None
