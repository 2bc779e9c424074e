from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from partners.models import Officer
from selec.api_auth import DEFAULT_TOKEN_DAYS, api_token_issue


class Command(BaseCommand):
    help = (
        "Issue a personal API token to an officer and print it once (on standard output, alone, "
        "so that a script can capture it); only its hash is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_TOKEN_DAYS,
            help=f"days until the token expires (default {DEFAULT_TOKEN_DAYS})",
        )

    def handle(self, *args: object, **options: object) -> None:
        try:
            officer = Officer.objects.select_related("agency__party").get(
                username=options["username"]
            )
        except Officer.DoesNotExist:
            raise CommandError(f"No officer named {options['username']!r}.") from None
        try:
            token, plain = api_token_issue(actor=None, officer=officer, days=options["days"])  # type: ignore[arg-type]
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(plain)
        self.stderr.write(
            f"Token {token.prefix}… for {officer.username}, expires "
            f"{token.expires_at:%Y-%m-%d %H:%M %Z}. Copy it now: it cannot be shown again."
        )
