"""Full-text search index for the managers' global search: a GIN index on the MDF request's search vector
(title, description).

PostgreSQL only (SQLite searches with icontains and has no use for it). The index is built by Django from the same
SearchVector expression mdf/search.py queries with, so the planner can use it; keep the fields here and there in step."""

from django.db import migrations

INDEXES = {"FundRequest": ("mdf_request_search_gin", ("title", "description"))}


def _gin_index(name, fields):
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(SearchVector(*fields, config="simple"), name=name)


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, (name, fields) in INDEXES.items():
        schema_editor.add_index(apps.get_model("mdf", model_name), _gin_index(name, fields))


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, (name, fields) in INDEXES.items():
        schema_editor.remove_index(apps.get_model("mdf", model_name), _gin_index(name, fields))


class Migration(migrations.Migration):
    dependencies = [("mdf", "0001_initial")]
    operations = [migrations.RunPython(create_indexes, drop_indexes)]
