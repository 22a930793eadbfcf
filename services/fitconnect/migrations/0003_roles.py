"""Roles: the tenant's Editors and Moderators choose the FIT-Connect environment and each form's
destination (as they define the forms); clerks see deliveries through their inbox permission."""

from django.db import migrations

EDITORS = ["Editors", "Moderators"]


def _permission(apps, model: str, codename: str):
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="fitconnect", model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": f"Can {codename}"}
    )
    return permission


def grant(apps, schema_editor):
    # created here (not only after migrate) so that the groups get them in the same run
    wanted = [
        _permission(apps, "formdestination", f"{verb}_formdestination")
        for verb in ("view", "add", "change", "delete")
    ] + [_permission(apps, "fitconnectsettings", "change_fitconnectsettings")]
    for group in apps.get_model("auth", "Group").objects.filter(name__in=EDITORS):
        group.permissions.add(*wanted)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="fitconnect")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=EDITORS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("fitconnect", "0002_sandbox_attachment_in_database"),
        ("applications", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
