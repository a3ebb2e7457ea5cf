import registry.models
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_areas_users_roles"),
    ]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[
                ("objects", registry.models.SrsUserManager()),
            ],
        ),
        migrations.AddField(
            model_name="user",
            name="digest_ha1",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
    ]
