import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_existing_cases_get_references")]

    operations = [
        migrations.AlterField(
            model_name="case",
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="case",
            name="reference",
            field=models.CharField(max_length=24, unique=True, verbose_name="reference"),
        ),
    ]
