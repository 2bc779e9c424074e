from django.core.management.base import BaseCommand

from selec.core.models import OutboxMessage
from selec.core.notifications import outbox_relay


class Command(BaseCommand):
    help = (
        "Send the e-mails waiting in the outbox now, each once, beside any relay already "
        "running (what the periodic relay_outbox task does)."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--batch-size", type=int, default=100)

    def handle(self, *args: object, **options: object) -> None:
        batch_size = int(options["batch_size"])  # type: ignore[call-overload]
        sent = 0
        # A batch that sends nothing (every message in it failed) ends the run.
        while batch := outbox_relay(batch_size=batch_size):
            sent += batch
        unsent = OutboxMessage.objects.filter(sent_at__isnull=True).count()
        self.stdout.write(f"Outbox relayed: {sent} sent, {unsent} left unsent.")
