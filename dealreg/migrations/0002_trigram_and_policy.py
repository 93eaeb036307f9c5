"""Fuzzy candidate search on PostgreSQL (pg_trgm GIN indexes on the name keys) and the default policy row.
On SQLite the trigram part is skipped: candidate search falls back to exact keys and prefixes there."""

from django.db import migrations


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table in ("dealreg_account", "dealreg_registration"):
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_name_key_trgm ON {table} USING gin (name_key gin_trgm_ops)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in ("dealreg_account", "dealreg_registration"):
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_name_key_trgm")


def create_policy(apps, schema_editor):
    apps.get_model("dealreg", "DealregPolicy").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("dealreg", "0001_initial")]
    operations = [
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
        migrations.RunPython(create_policy, migrations.RunPython.noop),
    ]
