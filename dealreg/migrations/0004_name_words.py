"""Candidate search that does not grow with the tables (PostgreSQL only; SQLite keeps exact keys and prefixes).

Two small tables, kept by triggers in the same transaction as the accounts and registrations they describe (one
statement per INSERT, COPY and bulk_create included; one row when an UPDATE changes a name key):
- `dealreg_namekey`: every distinct stored name key, once (a million registrations of some 300,000 companies hold
  about 300,000 names), with a GIN index on its words and a b-tree index on the key without spaces. Fuzzy search
  reads these narrow rows, then fetches the accounts and registrations of the names it keeps through the b-tree
  index on `name_key` the tables already have.
- `dealreg_nameword`: every distinct word of those names with its variants, GIN-indexed: the word and its
  deletions (the word less one letter: "acme" → "cme", "ame", "ace", "acm"). The stored words one typo away from a
  word (a letter more, less, changed, or two swapped) share a variant with it, so typos are found by exact lookups
  whatever the size of the vocabulary (symmetric delete spelling correction).
Nothing is ever removed from them: a name or word nobody uses any more finds no rows. The GIN indexes are built
without a pending list (fastupdate off): a search never scans unsorted recent entries.

And covering indexes by name key holding what the matcher reads (name, registrable domain, country), on
registrations of the active ones only (submitted, needs_info, approved: Registration.ACTIVE, the only ones candidate
search reads; tests check they agree): the rows of a name, even a popular one ("Phoenix": hundreds), are read from
a few adjacent index pages instead of as many table pages.
"""

from django.db import migrations

TABLES = ("dealreg_account", "dealreg_registration")

NAMES_AND_WORDS = """
    INSERT INTO dealreg_namekey (name_key)
    SELECT DISTINCT k FROM {keys} AS keys(k)
    WHERE k <> '' AND NOT EXISTS (SELECT 1 FROM dealreg_namekey n WHERE n.name_key = keys.k)
    ORDER BY k
    ON CONFLICT DO NOTHING;
    INSERT INTO dealreg_nameword (word, variants)
    SELECT w, dealreg_word_variants(w) FROM (
        SELECT DISTINCT w FROM {keys} AS keys(k), unnest(string_to_array(k, ' ')) AS w
        WHERE w <> '' AND NOT EXISTS (SELECT 1 FROM dealreg_nameword n WHERE n.word = w)
    ) AS words
    ORDER BY w
    ON CONFLICT DO NOTHING;
"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS dealreg_namekey (name_key text PRIMARY KEY);
CREATE INDEX IF NOT EXISTS dealreg_namekey_words ON dealreg_namekey
    USING gin (string_to_array(name_key, ' ')) WITH (fastupdate = off);
CREATE INDEX IF NOT EXISTS dealreg_namekey_compact ON dealreg_namekey (replace(name_key, ' ', ''));
CREATE INDEX IF NOT EXISTS dealreg_registration_active_names ON dealreg_registration (name_key, id)
    INCLUDE (partner_id, name, domain, country) WHERE status IN ('submitted', 'needs_info', 'approved');
CREATE INDEX IF NOT EXISTS dealreg_account_names ON dealreg_account (name_key, id) INCLUDE (name, domain, country);
CREATE TABLE IF NOT EXISTS dealreg_nameword (word text PRIMARY KEY, variants text[] NOT NULL);
CREATE INDEX IF NOT EXISTS dealreg_nameword_variants ON dealreg_nameword USING gin (variants) WITH (fastupdate = off);

-- The word and the word less one letter, each way (no deletions for words of one or two letters: a typo there is
-- another word).
CREATE OR REPLACE FUNCTION dealreg_word_variants(word text) RETURNS text[] LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT ARRAY[word] || coalesce(array_agg(DISTINCT left(word, i - 1) || substr(word, i + 1)), '{}')
    FROM generate_series(1, length(word)) AS i WHERE length(word) > 2
$$;

-- The stored words with a variant among `wanted` (a word's variants): through the index whatever the size of the
-- vocabulary (the planner would scan a small one, comparing arrays row by row). A few rows (ROWS 20): planned as
-- the default 1,000, a query reading them looks costly enough to be JIT-compiled.
CREATE OR REPLACE FUNCTION dealreg_words_near(wanted text[]) RETURNS SETOF text LANGUAGE sql STABLE STRICT
ROWS 20 SET enable_seqscan = off AS $$
    SELECT word FROM dealreg_nameword WHERE variants && wanted
$$;
"""
FUNCTION = """
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
{body}
    RETURN NULL;
END $$;
"""
TRIGGERS = """
CREATE TRIGGER {table}_names_inserted AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dealreg_names_inserted();
CREATE TRIGGER {table}_names_updated AFTER UPDATE OF name_key ON {table}
    FOR EACH ROW WHEN (OLD.name_key IS DISTINCT FROM NEW.name_key) EXECUTE FUNCTION dealreg_names_updated();
"""
EXISTING = "(SELECT name_key::text FROM dealreg_account UNION SELECT name_key::text FROM dealreg_registration)"
FORWARD = "".join(
    [
        SCHEMA,
        FUNCTION.format(
            name="dealreg_names_inserted", body=NAMES_AND_WORDS.format(keys="(SELECT name_key::text FROM new_rows)")
        ),
        FUNCTION.format(
            name="dealreg_names_updated", body=NAMES_AND_WORDS.format(keys="(VALUES (NEW.name_key::text))")
        ),
        *(TRIGGERS.format(table=table) for table in TABLES),
        NAMES_AND_WORDS.format(keys=EXISTING),  # the names and words stored before this migration
    ]
)

DROP_TRIGGERS = (
    "DROP TRIGGER IF EXISTS {table}_names_inserted ON {table}; DROP TRIGGER IF EXISTS {table}_names_updated ON {table};"
)
BACKWARD = (
    "".join(DROP_TRIGGERS.format(table=table) for table in TABLES)
    + """
DROP FUNCTION IF EXISTS dealreg_names_inserted();
DROP FUNCTION IF EXISTS dealreg_names_updated();
DROP FUNCTION IF EXISTS dealreg_words_near(text[]);
DROP INDEX IF EXISTS dealreg_registration_active_names;
DROP INDEX IF EXISTS dealreg_account_names;
DROP TABLE IF EXISTS dealreg_nameword;
DROP TABLE IF EXISTS dealreg_namekey;
DROP FUNCTION IF EXISTS dealreg_word_variants(text);
"""
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("dealreg", "0003_registration_extension_request")]
    operations = [migrations.RunPython(forward, backward)]
