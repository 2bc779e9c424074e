import uuid

from django.db import migrations, models
from django.utils import timezone

import selec.core.fields

# TRUNCATE empties a table without firing row triggers: refuse it like UPDATE and DELETE.
# (The test suite's flush between transactional tests runs as superuser in replica mode, in
# which ordinary triggers do not fire; see selec/management/commands/flush.py.)
NO_TRUNCATE = """
CREATE OR REPLACE FUNCTION selec_audit_refuse_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: TRUNCATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER selec_audit_no_truncate
    BEFORE TRUNCATE ON selec_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION selec_audit_refuse_truncate();
"""

DROP_NO_TRUNCATE = """
DROP TRIGGER IF EXISTS selec_audit_no_truncate ON selec_auditevent;
DROP FUNCTION IF EXISTS selec_audit_refuse_truncate();
"""


class Migration(migrations.Migration):
    dependencies = [("selec", "0007_notification_kind_case_participation")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="client_request_id",
            field=models.CharField(blank=True, max_length=64, verbose_name="client request id"),
        ),
        migrations.CreateModel(
            name="Justification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("text", selec.core.fields.EncryptedTextField(verbose_name="justification")),
                (
                    "recorded_at",
                    models.DateTimeField(default=timezone.now, verbose_name="recorded at"),
                ),
            ],
            options={"ordering": ["id"]},
        ),
        migrations.RunSQL(NO_TRUNCATE, DROP_NO_TRUNCATE),
    ]
