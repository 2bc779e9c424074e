from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partners.models import Officer
from partners.services.access_confirmations import officer_access_confirm_by_operator


class Command(BaseCommand):
    help = (
        "Confirm the access of an officer that no officer can confirm yet: the first officer of "
        "a party (no NFP officer and no colleague of the agency with access). Everywhere else "
        "the National Focal Point confirms, in the application; this command refuses."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--note", required=True, help="why the operator confirms (kept in the audit log)"
        )

    def handle(self, *args: object, **options: object) -> None:
        officer = (
            Officer.objects.select_related("agency__party")
            .filter(username=options["username"])
            .first()
        )
        if officer is None:
            raise CommandError(f"No officer named {options['username']!r}.")
        try:
            officer_access_confirm_by_operator(officer=officer, note=str(options["note"]))
        except (ValidationError, PermissionDenied) as error:
            message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            raise CommandError(message) from None
        self.stdout.write(self.style.SUCCESS(f"Access of {officer.username} confirmed."))
