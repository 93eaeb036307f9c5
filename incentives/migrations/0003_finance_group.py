"""The "Finance" group: channel managers in it prepare, approve and mark payout runs paid."""

from django.db import migrations


def create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="incentives", model="payoutrun")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="manage_payouts",
        defaults={"name": "Can prepare, approve and mark payout runs paid (finance)"},
    )
    group, _ = Group.objects.get_or_create(name="Finance")
    group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("incentives", "0002_payout_runs_questions_recognition"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
