from django.db import migrations

# The audit log is append-only: the database itself refuses to change or remove a row, whoever
# asks. (TRUNCATE, an owner-only maintenance operation, is not a row operation and stays open.)
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION selec_audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % refused on event %', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER selec_audit_append_only
    BEFORE UPDATE OR DELETE ON selec_auditevent
    FOR EACH ROW EXECUTE FUNCTION selec_audit_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS selec_audit_append_only ON selec_auditevent;
DROP FUNCTION IF EXISTS selec_audit_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("selec", "0001_initial")]

    operations = [migrations.RunSQL(APPEND_ONLY, DROP)]
