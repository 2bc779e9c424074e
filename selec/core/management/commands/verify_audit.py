from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from selec.core.audit_verification import audit_verify


class Command(BaseCommand):
    help = (
        "Verify the audit log: seal the committed events not sealed yet, then check its hash "
        "chain (naming the first broken row), that no event stayed unsealed past the grace "
        "period, and its anchor (the log must still hold the newest head anchored outside the "
        "database)."
    )

    def handle(self, *args: object, **options: object) -> None:
        try:
            result = audit_verify()
        except ImproperlyConfigured as exc:
            # A key the log still needs was dropped (AUDIT_CHAIN_PREVIOUS_KEYS): say which.
            raise CommandError(str(exc)) from exc
        if not result.intact:
            raise CommandError(result.describe())
        self.stdout.write(self.style.SUCCESS(result.describe()))
