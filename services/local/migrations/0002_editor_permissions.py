"""Wagtail's Editors and Moderators groups (created in every tenant schema) may maintain the
local catalogue: change local services, add and change offices."""

from django.db import migrations

PERMISSIONS = {
    "localservice": ["view", "change"],
    "office": ["view", "add", "change"],
}


def grant(apps, schema_editor):
    # Permissions are normally created after migrate (post_migrate); create them here so the
    # groups can be given them in the same run.
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    wanted = []
    for model, verbs in PERMISSIONS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="services_local", model=model)
        for verb in verbs:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{verb}_{model}",
                defaults={"name": f"Can {verb} {model}"},
            )
            wanted.append(permission)
    for group in Group.objects.filter(name__in=["Editors", "Moderators"]):
        group.permissions.add(*wanted)


class Migration(migrations.Migration):
    dependencies = [
        ("services_local", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
