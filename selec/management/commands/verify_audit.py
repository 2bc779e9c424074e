from django.core.management.base import BaseCommand, CommandError

from selec.audit import first_broken_event
from selec.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; name the first broken row if there is one."

    def handle(self, *args: object, **options: object) -> None:
        broken = first_broken_event()
        if broken is not None:
            raise CommandError(
                f"Audit chain broken at event #{broken.pk} ({broken.occurred_at:%Y-%m-%d %H:%M:%S%z}, "
                f"{broken.action} {broken.object_type}:{broken.object_id})."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Audit chain intact: {AuditEvent.objects.count()} events.")
        )
