"""Names with kana are read as Japanese now ("リクルート" → "recruit", "楽天グループ" → "rakuten group"), and so are
the kanji of a company in Japan ("任天堂" → "nintendo", not "rentiantang"), when the optional `japanese` extra is
installed. Recompute the keys of names with a letter outside ASCII. `manage.py refresh_name_keys` runs the same
step again (after installing the extra on a running site)."""

from django.db import migrations

from prm.names import company_name_key


def refresh_name_keys(apps, schema_editor):
    changed_rows = 0
    for model_name in ("Account", "Registration"):
        model = apps.get_model("dealreg", model_name)
        changed = []
        rows = model.objects.filter(name__regex=r"[^\x00-\x7f]").only("pk", "name", "name_key", "country")
        for row in rows.iterator(chunk_size=2000):
            key = company_name_key(row.name, row.country)
            if key and key != row.name_key:
                row.name_key = key
                changed.append(row)
        model.objects.bulk_update(changed, ["name_key"], batch_size=2000)
        changed_rows += len(changed)
    return changed_rows


class Migration(migrations.Migration):
    dependencies = [("dealreg", "0011_search_index")]

    operations = [migrations.RunPython(refresh_name_keys, migrations.RunPython.noop)]
