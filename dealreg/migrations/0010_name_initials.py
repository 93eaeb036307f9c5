"""Candidate search finds the full names an acronym may stand for ("IBM" → "International Business Machines"):
the initials of each stored name of two words or more, indexed (PostgreSQL; the name tables are PostgreSQL's)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION dealreg_initials(name_key text) RETURNS text LANGUAGE sql IMMUTABLE STRICT
PARALLEL SAFE AS $$
    SELECT string_agg(left(w, 1), '' ORDER BY n) FROM unnest(string_to_array(name_key, ' ')) WITH ORDINALITY AS t(w, n)
$$;
CREATE INDEX IF NOT EXISTS dealreg_namekey_initials ON dealreg_namekey ((dealreg_initials(name_key)) COLLATE "C")
    WHERE name_key LIKE '%% %%';
"""
BACKWARD = """
DROP INDEX IF EXISTS dealreg_namekey_initials;
DROP FUNCTION IF EXISTS dealreg_initials(text);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("dealreg", "0009_transliterated_name_keys")]

    operations = [migrations.RunPython(forward, backward)]
