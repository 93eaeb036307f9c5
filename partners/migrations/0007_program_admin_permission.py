"""The program-admin permission (partners.manage_program) and the "Program admins" group that holds it.

Permissions are normally created after all migrations run (post_migrate); the group needs its permission now, so
it is created here with the same content type and codename Django would use (post_migrate then finds it)."""

from django.db import migrations

GROUP = "Program admins"
CODENAME = "manage_program"


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="partners", model="program")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": "Can change the program setup"}
    )
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(permission)


def revoke(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()
    apps.get_model("auth", "Permission").objects.filter(content_type__app_label="partners", codename=CODENAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0006_reporting_currency_first_deal"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="program",
            options={
                "permissions": (("manage_program", "Can change the program setup"),),
                "verbose_name": "program settings",
                "verbose_name_plural": "program settings",
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
