"""Clerks ("Sachbearbeitung") see and close the manual refunds of their tenant; the payment
settings (provider, cash office) stay with the tenant's administrators."""

from django.db import migrations

CLERKS = "Sachbearbeitung"


def grant(apps, schema_editor):
    # permissions are normally created after migrate (post_migrate): create this one here
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="payments", model="manualrefund")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="change_manualrefund",
        defaults={"name": "Can change manuelle Erstattung"},
    )
    for group in Group.objects.filter(name=CLERKS):
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0004_xbezahldienste"),
        ("applications", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
