# Events are chained after the commit of what they record (selec.core.audit): a row is written
# unsealed, with a keyed digest of its content, and sealed once, later, with its chain position
# and hashes.

from django.db import migrations, models

# The rows chained so far were chained in the order of their ids (under the lock each writer
# held until its commit): that order is their position. The append-only trigger is held back
# for this one statement, which nothing else can see before the migration commits.
POSITIONS_OF_THE_CHAINED_ROWS = """
ALTER TABLE selec_auditevent DISABLE TRIGGER selec_audit_append_only;
UPDATE selec_auditevent
SET chain_position = numbered.position
FROM (
    SELECT id, row_number() OVER (ORDER BY id) AS position FROM selec_auditevent
) numbered
WHERE selec_auditevent.id = numbered.id;
ALTER TABLE selec_auditevent ENABLE TRIGGER selec_audit_append_only;
"""

# The one change the log allows, once per row: sealing. A row not sealed yet receives its chain
# position and both hashes, all three at once, and nothing else of it changes (the row is
# compared whole but for those three columns, so a column added later is covered too). Every
# other UPDATE, and every DELETE, is refused as before; TRUNCATE by its own trigger (0008).
SEAL_ONCE = """
CREATE OR REPLACE FUNCTION selec_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.chain_position IS NULL AND OLD.previous_hash IS NULL AND OLD.chain_hash IS NULL
       AND NEW.chain_position IS NOT NULL AND NEW.previous_hash IS NOT NULL
       AND NEW.chain_hash IS NOT NULL
       AND to_jsonb(NEW) - ARRAY['chain_position', 'previous_hash', 'chain_hash']
           = to_jsonb(OLD) - ARRAY['chain_position', 'previous_hash', 'chain_hash']
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % refused on event %', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

# Back to refusing every change (0002).
REFUSE_EVERY_CHANGE = """
CREATE OR REPLACE FUNCTION selec_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused on event %', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("selec", "0009_refusal_and_notification_kinds"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain_position",
            field=models.PositiveBigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="content_mac",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                fields=("content_mac",), name="audit_event_content_once"
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="chain_hash",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.RunSQL(POSITIONS_OF_THE_CHAINED_ROWS, migrations.RunSQL.noop),
        migrations.RunSQL(SEAL_ONCE, REFUSE_EVERY_CHANGE),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("chain_position__isnull", True)),
                fields=["id"],
                name="audit_event_unsealed",
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("chain_hash__isnull", True),
                        ("chain_position__isnull", True),
                        ("previous_hash__isnull", True),
                    ),
                    models.Q(
                        ("chain_hash__isnull", False),
                        ("chain_position__isnull", False),
                        ("previous_hash__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="audit_event_sealed_whole",
            ),
        ),
    ]
