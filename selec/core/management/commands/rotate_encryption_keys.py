"""Re-encrypt every value that is not under the current (first) key of FIELD_ENCRYPTION_KEYS.

To rotate: put the new key first, keep the old one second, run this command, then drop the old
key. Each batch is its own transaction, so an interrupted run keeps what it finished and the next
run finds only what is left. A row that does not decrypt is reported and skipped; the command
exits non-zero at the end, after every other row was processed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models, transaction
from django.db.models import BinaryField, Q
from django.db.models.functions import Substr

from selec.core.crypto import DecryptionError, current_key_id, decrypt_bytes, encrypt_bytes
from selec.core.fields import EncryptedFileField, EncryptedTextField
from selec.core.files import content_aad

MAX_FAILURES_NAMED = 20
F = TypeVar("F", bound=models.Field)


@dataclass
class Tally:
    """What happened to one model field."""

    label: str
    re_encrypted: int = 0
    failed_pks: list[Any] = field(default_factory=list)


def _encrypted_fields(kind: type[F]) -> list[tuple[type[models.Model], F]]:
    """Every encrypted column of this field type, each once: proxies share their concrete
    model's table, and a child model's ``local`` fields leave out the parent's, which the parent
    itself lists."""
    return [
        (model, model_field)
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed
        for model_field in model._meta.local_concrete_fields
        if isinstance(model_field, kind)
    ]


def encrypted_text_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    return _encrypted_fields(EncryptedTextField)


def encrypted_file_fields() -> list[tuple[type[models.Model], EncryptedFileField]]:
    """The attached files: exchanges' attachments, operational meetings' attachments."""
    return _encrypted_fields(EncryptedFileField)


def text_rows_to_rotate(model: type[models.Model], model_field: EncryptedTextField) -> Any:
    # The raw column starts with the key id that encrypted it; the lookup compares the stored
    # text (get_prep_value leaves it untouched) and escapes any LIKE wildcard in the key id.
    stale = ~Q(**{f"{model_field.name}__startswith": f"{current_key_id()}:"})
    if model_field.null:
        stale &= Q(**{f"{model_field.name}__isnull": False})
    return model._default_manager.filter(stale)


def file_rows_to_rotate(model: type[models.Model], model_field: EncryptedFileField) -> Any:
    prefix = f"{current_key_id()}:".encode()
    # A pattern lookup on bytea would cast it to text (hex); compare the leading bytes instead.
    head = Substr(model_field.name, 1, len(prefix), output_field=BinaryField())
    return model._default_manager.alias(head=head).filter(~Q(head=prefix))


class Command(BaseCommand):
    help = "Re-encrypt encrypted fields and attachments that are not under the current key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Rows per transaction (default 500).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count what would be re-encrypted; change nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        batch_size: int = options["batch_size"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        self.stdout.write(f"Current key: {current_key_id()}")
        if options["dry_run"]:
            self.count_only()
            return
        tallies = [
            self.rotate_text_field(model, model_field, batch_size)
            for model, model_field in encrypted_text_fields()
        ]
        tallies += [
            self.rotate_files(model, model_field, batch_size)
            for model, model_field in encrypted_file_fields()
        ]
        self.report(tallies)

    # --- dry run ------------------------------------------------------------------------------

    def count_only(self) -> None:
        for model, model_field in encrypted_text_fields():
            count = text_rows_to_rotate(model, model_field).count()
            self.stdout.write(f"{model._meta.label}.{model_field.name}: {count} to re-encrypt")
        for model, file_field in encrypted_file_fields():
            count = file_rows_to_rotate(model, file_field).count()
            self.stdout.write(f"{model._meta.label}.{file_field.name}: {count} to re-encrypt")
        self.stdout.write("Dry run: nothing was changed.")

    # --- text fields --------------------------------------------------------------------------

    def rotate_text_field(
        self, model: type[models.Model], model_field: EncryptedTextField, batch_size: int
    ) -> Tally:
        tally = Tally(f"{model._meta.label}.{model_field.name}")
        columns = ["pk", model_field.row_key_field, model_field.name]
        last_pk: Any = None
        while True:
            # Keyset pagination: rows that fail stay stale, so "the first N stale rows" would
            # find them again forever.
            with transaction.atomic():
                rows = text_rows_to_rotate(model, model_field).only(*columns).order_by("pk")
                if last_pk is not None:
                    rows = rows.filter(pk__gt=last_pk)
                # Locked so that an officer's edit in between is not overwritten with the old
                # plaintext; PostgreSQL re-checks the filter on a row that changed meanwhile.
                batch = list(rows.select_for_update()[:batch_size])
                for row in batch:
                    self.re_encrypt_text(row, model_field, tally)
            if len(batch) < batch_size:
                return tally
            last_pk = batch[-1].pk

    def re_encrypt_text(
        self, row: models.Model, model_field: EncryptedTextField, tally: Tally
    ) -> None:
        try:
            getattr(row, model_field.attname)  # the descriptor decrypts with the row's old key
        except DecryptionError as error:
            self.record_failure(tally, row.pk, error)
            return
        row.save(update_fields=[model_field.name])  # pre_save encrypts with the current key
        tally.re_encrypted += 1

    # --- attached files ---------------------------------------------------------------------

    def rotate_files(
        self, model: type[models.Model], model_field: EncryptedFileField, batch_size: int
    ) -> Tally:
        tally = Tally(f"{model._meta.label}.{model_field.name}")
        last_pk: Any = None
        while True:
            pks = file_rows_to_rotate(model, model_field).order_by("pk")
            if last_pk is not None:
                pks = pks.filter(pk__gt=last_pk)
            batch = list(pks.values_list("pk", flat=True)[:batch_size])
            with transaction.atomic():
                for pk in batch:
                    self.re_encrypt_file(model, model_field, pk, tally)
            if len(batch) < batch_size:
                return tally
            last_pk = batch[-1]

    def re_encrypt_file(
        self, model: type[models.Model], model_field: EncryptedFileField, pk: Any, tally: Tally
    ) -> None:
        # One file in memory at a time: attachments run to MAX_ATTACHMENT_MB each.
        row = (
            file_rows_to_rotate(model, model_field)
            .select_for_update()
            .only("pk", "uuid", model_field.name)
            .filter(pk=pk)
            .first()
        )
        if row is None:  # re-encrypted or deleted since the batch was listed
            return
        aad = content_aad(row)
        try:
            plaintext = decrypt_bytes(getattr(row, model_field.attname), aad=aad)
        except DecryptionError as error:
            self.record_failure(tally, pk, error)
            return
        setattr(row, model_field.attname, encrypt_bytes(plaintext, aad=aad))
        row.save(update_fields=[model_field.name])
        tally.re_encrypted += 1

    # --- report -------------------------------------------------------------------------------

    def record_failure(self, tally: Tally, pk: Any, error: DecryptionError) -> None:
        tally.failed_pks.append(pk)
        self.stderr.write(f"{tally.label} pk={pk}: not re-encrypted ({error})")

    def report(self, tallies: list[Tally]) -> None:
        for tally in tallies:
            self.stdout.write(
                f"{tally.label}: {tally.re_encrypted} re-encrypted, {len(tally.failed_pks)} failed"
            )
        failures = [f"{tally.label} pk={pk}" for tally in tallies for pk in tally.failed_pks]
        if failures:
            # stderr named every row; the final error stays readable when a whole key is missing.
            named = ", ".join(failures[:MAX_FAILURES_NAMED])
            more = len(failures) - MAX_FAILURES_NAMED
            raise CommandError(
                f"{len(failures)} value(s) could not be decrypted and were left as they are: "
                + named
                + (f" and {more} more (see above)" if more > 0 else "")
            )
        self.stdout.write(self.style.SUCCESS("Every encrypted value is under the current key."))
