# The entity tokens and hits move from the exchanges app to hits, their tables unchanged: the
# state gains the models here (exchanges 0012 drops them from its own state), the database is
# not touched, and the content types follow so that their permissions keep their rows.

import django.contrib.postgres.fields
import django.db.models.deletion
from django.db import migrations, models

MOVED = ["entitytoken", "hit"]


def content_types_to(app_label, other):
    def move(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        content_type.objects.filter(app_label=other, model__in=MOVED).update(app_label=app_label)

    return move


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("exchanges", "0011_entity_tokens_carry_their_scheme"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="EntityToken",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("kind", models.CharField(max_length=24)),
                        ("token", models.CharField(max_length=64)),
                        ("scheme", models.CharField(db_default="v1-k1", max_length=16)),
                        (
                            "entity",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="tokens",
                                to="exchanges.entity",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "exchanges_entitytoken",
                        "indexes": [
                            models.Index(fields=["kind", "token"], name="entity_token_lookup")
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("entity", "kind", "token"), name="entity_token_once"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Hit",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "token_kinds",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.CharField(max_length=24), size=None
                            ),
                        ),
                        ("created_at", models.DateTimeField()),
                        (
                            "entity_a",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="exchanges.entity",
                            ),
                        ),
                        (
                            "entity_b",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="exchanges.entity",
                            ),
                        ),
                        (
                            "exchange_a",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="exchanges.exchange",
                            ),
                        ),
                        (
                            "exchange_b",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="exchanges.exchange",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "exchanges_hit",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("entity_a", "entity_b"), name="hit_once_per_pair"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("entity_a__lt", models.F("entity_b"))),
                                name="hit_pair_lower_entity_first",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            content_types_to("hits", "exchanges"), content_types_to("exchanges", "hits")
        ),
    ]
