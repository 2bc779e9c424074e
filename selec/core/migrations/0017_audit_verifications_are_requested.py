"""A verification asked for is kept as a row before any worker takes it (``requested_at``, and
``started_at`` empty until a worker claims it). The runs kept so far were asked and started at
once: their request time is their start."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("selec", "0016_reliability_idempotency_claims_heartbeats"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditverificationrun",
            name="requested_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunSQL(
            "UPDATE selec_auditverificationrun SET requested_at = started_at",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="auditverificationrun",
            name="requested_at",
            field=models.DateTimeField(db_index=True),
        ),
        migrations.AlterField(
            model_name="auditverificationrun",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterModelOptions(
            name="auditverificationrun",
            options={"ordering": ["-requested_at", "-id"]},
        ),
        migrations.AddConstraint(
            model_name="auditverificationrun",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("finished_at__isnull", True), ("started_at__isnull", False), _connector="OR"
                ),
                name="audit_verification_finished_after_start",
            ),
        ),
    ]
