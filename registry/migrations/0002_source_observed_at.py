from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_registry_tables"),
    ]

    operations = [
        migrations.AddField(
            model_name="source",
            name="observed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
