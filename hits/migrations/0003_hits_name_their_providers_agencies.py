"""Each hit names the agencies of its two exchanges (their senders), indexed with the hit's id.

The columns are added empty, filled from the exchanges, then made required: an exchange's
sender never changes, so the copy never goes stale.
"""

import django.db.models.deletion
from django.db import migrations, models

# Every hit gets its exchanges' senders (both sides in one statement).
FILL = """
UPDATE exchanges_hit h
SET agency_a_id = a.sender_agency_id, agency_b_id = b.sender_agency_id
FROM exchanges_exchange a, exchanges_exchange b
WHERE a.id = h.exchange_a_id AND b.id = h.exchange_b_id
"""


def _agency(*, null: bool) -> models.ForeignKey:
    return models.ForeignKey(
        db_index=False,
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="partners.agency",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0019_index_the_authors_sends_by_time"),
        ("hits", "0002_drop_redundant_index"),
        ("partners", "0006_party_language_and_time_zone"),
    ]

    operations = [
        migrations.AddField(model_name="hit", name="agency_a", field=_agency(null=True)),
        migrations.AddField(model_name="hit", name="agency_b", field=_agency(null=True)),
        # Going back, the columns are dropped: nothing to undo here.
        migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(model_name="hit", name="agency_a", field=_agency(null=False)),
        migrations.AlterField(model_name="hit", name="agency_b", field=_agency(null=False)),
        migrations.AddIndex(
            model_name="hit",
            index=models.Index(fields=["agency_a", "id"], name="hit_of_agency_a"),
        ),
        migrations.AddIndex(
            model_name="hit",
            index=models.Index(fields=["agency_b", "id"], name="hit_of_agency_b"),
        ),
    ]
