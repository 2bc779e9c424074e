# The entity tokens and hits now belong to the hits app (hits 0001 takes them into its state):
# they leave this app's state only; their tables stay as they are.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("exchanges", "0011_entity_tokens_carry_their_scheme"),
        ("hits", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="EntityToken"),
                migrations.DeleteModel(name="Hit"),
            ],
            database_operations=[],
        ),
    ]
