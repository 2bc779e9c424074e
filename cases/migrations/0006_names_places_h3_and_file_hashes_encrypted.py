"""Case names, their H3 texts, meeting places and the SHA-256 of meeting files are encrypted at
rest; cases are no longer ordered by name (a ciphertext orders nothing).

Existing rows are encrypted here with the associated data the field uses; going back decrypts
them before the columns return to plaintext.
"""

import django.core.validators
from django.db import migrations

import selec.core.fields
from selec.core.column_encryption import decrypt_columns, encrypt_columns

ENCRYPTED = {
    "cases.Case": ["name", "restriction_text"],
    "cases.OperationalMeeting": ["place"],
    "cases.MeetingAttachment": ["sha256"],
}


def encrypt(apps, schema_editor):
    for label, fields in ENCRYPTED.items():
        encrypt_columns(apps, label, fields)


def decrypt(apps, schema_editor):
    for label, fields in ENCRYPTED.items():
        decrypt_columns(apps, label, fields)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_attached_files_are_encrypted_file_fields"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="case",
            options={
                "default_permissions": (),
                "ordering": ["-started_on", "-pk"],
                "permissions": [
                    ("view_case", "Read the case"),
                    ("manage_case", "Edit the case, change its status, invite participants"),
                    ("add_meeting_case", "Add operational meetings"),
                    ("record_result_case", "Record results"),
                ],
            },
        ),
        migrations.AlterField(
            model_name="case",
            name="name",
            field=selec.core.fields.EncryptedTextField(
                max_length=120,
                validators=[django.core.validators.MaxLengthValidator(120)],
                verbose_name="name",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="restriction_text",
            field=selec.core.fields.EncryptedTextField(
                blank=True, default="", verbose_name="H3: other restrictions"
            ),
        ),
        migrations.AlterField(
            model_name="meetingattachment",
            name="sha256",
            field=selec.core.fields.EncryptedTextField(),
        ),
        migrations.AlterField(
            model_name="operationalmeeting",
            name="place",
            field=selec.core.fields.EncryptedTextField(
                max_length=120,
                validators=[django.core.validators.MaxLengthValidator(120)],
                verbose_name="place",
            ),
        ),
        migrations.RunPython(encrypt, decrypt),
    ]
