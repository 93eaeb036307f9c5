"""Name keys are written in Latin letters now ("Яндекс" → "yandeks", "华为技术有限公司" → "huawei"), so a company
typed in either script has one key and candidate search finds it. Recompute the keys of names with a letter
outside ASCII (only those: the others keep theirs), with today's rules."""

from django.db import migrations

from prm.names import normalize_company_name


def refresh_non_ascii_keys(apps, schema_editor):
    for model_name in ("Account", "Registration"):
        model = apps.get_model("dealreg", model_name)
        changed = []
        rows = model.objects.filter(name__regex=r"[^\x00-\x7f]").only("pk", "name", "name_key")
        for row in rows.iterator(chunk_size=2000):
            key = normalize_company_name(row.name)[:200]
            if key and key != row.name_key:
                row.name_key = key
                changed.append(row)
        model.objects.bulk_update(changed, ["name_key"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("dealreg", "0008_awaiting_index")]

    operations = [migrations.RunPython(refresh_non_ascii_keys, migrations.RunPython.noop)]
