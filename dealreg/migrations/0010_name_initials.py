"""Candidate search finds the full names an acronym may stand for ("IBM" → "International Business Machines"):
the initials of each stored name of two words or more, indexed; and the words written another way by
transliteration ("yandex" / "yandeks", "quarix" / "kvariks"): each stored word's variants hold its skeleton,
marked '~' (dealreg.matching.skeleton, written again in SQL: the same rules in the same order). PostgreSQL only: the
name tables are PostgreSQL's."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION dealreg_initials(name_key text) RETURNS text LANGUAGE sql IMMUTABLE STRICT
PARALLEL SAFE AS $$
    SELECT string_agg(left(w, 1), '' ORDER BY n) FROM unnest(string_to_array(name_key, ' ')) WITH ORDINALITY AS t(w, n)
$$;
CREATE OR REPLACE FUNCTION dealreg_skeleton(word text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT regexp_replace(
        replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(word,
            'qu', 'kv'), 'eo', 'u'), 'ou', 'u'), 'oo', 'u'), 'ks', 'x'), 'kh', 'h'), 'th', 't'), 'ph', 'f'),
            'c', 'k'), 'w', 'v'), 'j', 'i'), 'y', 'i'),
        '(.)\\1+', '\\1', 'g')
$$;
-- The word, the word less one letter each way (none for words of one or two letters: a typo there is another
-- word), and its skeleton marked '~'.
CREATE OR REPLACE FUNCTION dealreg_word_variants(word text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT ARRAY[word, '~' || dealreg_skeleton(word)]
        || coalesce(array_agg(DISTINCT left(word, i - 1) || substr(word, i + 1)), '{}')
    FROM generate_series(1, length(word)) AS i WHERE length(word) > 2
$$;
UPDATE dealreg_nameword SET variants = dealreg_word_variants(word);
CREATE INDEX IF NOT EXISTS dealreg_namekey_initials ON dealreg_namekey ((dealreg_initials(name_key)) COLLATE "C")
    WHERE name_key LIKE '%% %%';
"""
BACKWARD = """
DROP INDEX IF EXISTS dealreg_namekey_initials;
DROP FUNCTION IF EXISTS dealreg_initials(text);
CREATE OR REPLACE FUNCTION dealreg_word_variants(word text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT ARRAY[word] || coalesce(array_agg(DISTINCT left(word, i - 1) || substr(word, i + 1)), '{}')
    FROM generate_series(1, length(word)) AS i WHERE length(word) > 2
$$;
UPDATE dealreg_nameword SET variants = dealreg_word_variants(word);
DROP FUNCTION IF EXISTS dealreg_skeleton(text);
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
