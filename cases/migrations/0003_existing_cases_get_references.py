"""Cases made before references and the new statuses: "open" becomes "active", and each case
gets its row key, a reference (in the order the cases were made, per year of start and kind)
and an encrypted empty description."""

import uuid

from django.db import migrations

KIND_CODES = {"joint_investigation": "JI", "regional_operation": "RO"}


def forwards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Counter = apps.get_model("cases", "CaseReferenceCounter")
    Case.objects.filter(status="open").update(status="active")
    last: dict[tuple[int, str], int] = {}
    for case in Case.objects.order_by("pk"):
        key = (case.started_on.year, case.kind)
        last[key] = last.get(key, 0) + 1
        case.uuid = uuid.uuid4()
        case.reference = f"SELEC-{KIND_CODES[case.kind]}-{key[0]}-{last[key]:04d}"
        # Encrypted with the new row key (the field's pre_save), never stored as plaintext.
        case.description = ""
        case.save(update_fields=["uuid", "reference", "description"])
    for (year, kind), number in last.items():
        Counter.objects.create(year=year, kind=kind, last=number)


def backwards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Case.objects.exclude(status="closed").update(status="open")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_case_details_meetings_results")]

    operations = [migrations.RunPython(forwards, backwards)]
