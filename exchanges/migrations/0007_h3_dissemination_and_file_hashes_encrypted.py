"""The H3 text, what dissemination requests and decisions say, and the SHA-256 of attached files
are encrypted at rest; a confirmation of the H3 text keeps a keyed digest of it, not the text.

Existing rows are converted here: their plaintext encrypted with the associated data the field
uses, the confirmations' texts replaced by their digests. Reversible: going back decrypts the
columns, and restores a confirmation's text from its exchange when the digest still matches the
exchange's text (the others get an empty text, so those officers confirm again).
"""

import uuid

import django.core.validators
from django.db import migrations, models

import selec.core.fields
from selec.core.column_encryption import decrypt_columns, encrypt_columns
from selec.core.digests import DigestPurpose, keyed_digest

ENCRYPTED = {
    "exchanges.Exchange": ["restriction_text"],
    "exchanges.Attachment": ["sha256"],
    "exchanges.DisseminationRequest": ["intended_use", "justification", "decision_note"],
}


def give_dissemination_requests_a_uuid(apps, schema_editor):
    DisseminationRequest = apps.get_model("exchanges", "DisseminationRequest")
    for pk in DisseminationRequest.objects.filter(uuid__isnull=True).values_list("pk", flat=True):
        DisseminationRequest.objects.filter(pk=pk).update(uuid=uuid.uuid4())


def digest_confirmed_texts(apps, schema_editor):
    RestrictionConfirmation = apps.get_model("exchanges", "RestrictionConfirmation")
    rows = RestrictionConfirmation.objects.values_list("pk", "restriction_text")
    for pk, text in rows.iterator(chunk_size=500):
        RestrictionConfirmation.objects.filter(pk=pk).update(
            restriction_digest=keyed_digest(DigestPurpose.RESTRICTION_TEXT, text)
        )


def texts_back_from_exchanges(apps, schema_editor):
    # The exchanges' texts are plaintext again here (the columns were decrypted first).
    RestrictionConfirmation = apps.get_model("exchanges", "RestrictionConfirmation")
    rows = RestrictionConfirmation.objects.values_list(
        "pk", "restriction_digest", "exchange__restriction_text"
    )
    for pk, digest, current in rows.iterator(chunk_size=500):
        still = keyed_digest(DigestPurpose.RESTRICTION_TEXT, current) == digest
        RestrictionConfirmation.objects.filter(pk=pk).update(
            restriction_text=current if still else ""
        )


def encrypt(apps, schema_editor):
    for label, fields in ENCRYPTED.items():
        encrypt_columns(apps, label, fields)


def decrypt(apps, schema_editor):
    for label, fields in ENCRYPTED.items():
        decrypt_columns(apps, label, fields)


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0006_attached_files_are_encrypted_file_fields"),
    ]

    operations = [
        # A row key for the encrypted fields' associated data: added empty, filled, then unique.
        migrations.AddField(
            model_name="disseminationrequest",
            name="uuid",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(give_dissemination_requests_a_uuid, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="disseminationrequest",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        # The confirmations: a digest of the text instead of the text.
        migrations.AddField(
            model_name="restrictionconfirmation",
            name="restriction_digest",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(digest_confirmed_texts, texts_back_from_exchanges),
        # With a default, so that going back can add the column again to the rows there are.
        migrations.AlterField(
            model_name="restrictionconfirmation",
            name="restriction_text",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RemoveField(
            model_name="restrictionconfirmation",
            name="restriction_text",
        ),
        # The encrypted columns, then their rows.
        migrations.AlterField(
            model_name="attachment",
            name="sha256",
            field=selec.core.fields.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="disseminationrequest",
            name="decision_note",
            field=selec.core.fields.EncryptedTextField(blank=True, default=""),
        ),
        migrations.AlterField(
            model_name="disseminationrequest",
            name="intended_use",
            field=selec.core.fields.EncryptedTextField(
                max_length=300, validators=[django.core.validators.MaxLengthValidator(300)]
            ),
        ),
        migrations.AlterField(
            model_name="disseminationrequest",
            name="justification",
            field=selec.core.fields.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="exchange",
            name="restriction_text",
            field=selec.core.fields.EncryptedTextField(
                blank=True, default="", verbose_name="H3: other restrictions"
            ),
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
