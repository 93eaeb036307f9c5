"""Names written only in other scripts ("株式会社トヨタ", "Яндекс") got an empty name key before prm.names kept
their letters: every such company was the same key. Recompute those keys (and only those) with today's rules."""

from django.db import migrations

from prm.names import normalize_company_name


def refresh_empty_keys(apps, schema_editor):
    for model_name in ("Account", "Registration"):
        model = apps.get_model("dealreg", model_name)
        changed = []
        for row in model.objects.filter(name_key="").exclude(name="").only("pk", "name").iterator(chunk_size=2000):
            key = normalize_company_name(row.name)[:200]
            if key:
                row.name_key = key
                changed.append(row)
        model.objects.bulk_update(changed, ["name_key"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("dealreg", "0004_name_words")]

    operations = [migrations.RunPython(refresh_empty_keys, migrations.RunPython.noop)]
