"""A receipt carries its exchange's urgency, due date and whether it awaits an answer, so that
the dashboard's lists read a scope's open receipts in order from an index of the receipts."""

from django.db import migrations, models

COPY_FROM_EXCHANGES = """
    UPDATE exchanges_recipient AS r
    SET urgency = CASE e.priority WHEN 'immediate' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END,
        due_at = e.due_at,
        awaits_answer = (e.kind = 'request')
    FROM exchanges_exchange AS e
    WHERE e.id = r.exchange_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0008_indexes_for_pages_at_scale"),
        ("partners", "0004_officer_content_access"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="recipient",
            name="receipt_unanswered",
        ),
        migrations.RemoveIndex(
            model_name="recipient",
            name="receipt_unread",
        ),
        migrations.RemoveIndex(
            model_name="recipient",
            name="receipt_unacknowledged",
        ),
        migrations.AddField(
            model_name="recipient",
            name="awaits_answer",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="recipient",
            name="due_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="recipient",
            name="urgency",
            field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.RunSQL(COPY_FROM_EXCHANGES, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="recipient",
            name="due_at",
            field=models.DateTimeField(),
        ),
        migrations.AddIndex(
            model_name="recipient",
            index=models.Index(
                condition=models.Q(("read_at__isnull", True)),
                fields=["agency", "urgency", "due_at", "id"],
                include=("exchange",),
                name="receipt_unread",
            ),
        ),
        migrations.AddIndex(
            model_name="recipient",
            index=models.Index(
                condition=models.Q(("acknowledged_at__isnull", True)),
                fields=["agency", "urgency", "due_at", "id"],
                include=("exchange",),
                name="receipt_unacknowledged",
            ),
        ),
        migrations.AddIndex(
            model_name="recipient",
            index=models.Index(
                condition=models.Q(("answered_at__isnull", True), ("awaits_answer", True)),
                fields=["agency", "urgency", "due_at", "id"],
                include=("exchange",),
                name="receipt_awaiting_answer",
            ),
        ),
    ]
