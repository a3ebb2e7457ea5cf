"""An index of people's names in the lists' order, on PostgreSQL only.

The people list is ordered by (``name_key``, id). A tolerant name search of
a district (``name_key IN (…)`` of up to 2,000 candidate names, "Siti"
holding 86,000 people of a regency of a million) read every row of the
names with only ``name_key`` indexed, and sorted them for the first page;
with the id in the index the page is the index's first 50 entries, and the
page's count reads the index alone (the kecamatan is in it too). SpatiaLite
(the embedded default, one sub-district) needs none.
"""

from django.db import migrations

INDEX = "registry_person_name_order"
DEFINITION = f"{INDEX} ON registry_person (name_key, id) INCLUDE (kecamatan_code)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {DEFINITION}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_name_trigram_indexes")]

    operations = [migrations.RunPython(create, drop)]
