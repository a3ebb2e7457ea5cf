"""Trigram indexes of people's and heads' names, on PostgreSQL only.

The registry's tolerant name search (registry.queries) narrows candidates
with ``name_key LIKE '%abc%'`` before it scores them; a GIN trigram index
answers that without reading every person of a district. SpatiaLite (the
embedded default, one sub-district) has no such index and needs none.
``CREATE EXTENSION pg_trgm`` needs a role that may create it (the database
owner on PostgreSQL 13 and later: pg_trgm is a trusted extension).
"""

from django.db import migrations

INDEXES = (
    "registry_person_name_key_trgm ON registry_person USING gin (name_key gin_trgm_ops)",
    "registry_person_kecamatan_name ON registry_person (kecamatan_code, name_key)",
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for index in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {index}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index.split()[0]}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_source_observed_at")]

    operations = [migrations.RunPython(create, drop)]
