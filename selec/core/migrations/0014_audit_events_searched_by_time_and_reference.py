import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("selec", "0013_audit_events_name_their_key"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["occurred_at", "id"], name="audit_event_by_time"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["details"], name="audit_event_details", opclasses=["jsonb_path_ops"]
            ),
        ),
    ]
