"""Roles: Wagtail's Editors and Moderators define online application forms; the new group
"Sachbearbeitung" (clerks) works the staff inbox in the tenant's Wagtail admin."""

from django.db import migrations

CLERKS = "Sachbearbeitung"


def _permission(apps, app_label: str, model: str, codename: str, name: str):
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": name}
    )
    return permission


def grant(apps, schema_editor):
    # Permissions are normally created after migrate (post_migrate); create them here so the
    # groups can be given them in the same run.
    Group = apps.get_model("auth", "Group")
    form_permissions = [
        _permission(apps, "applications", model, f"{verb}_{model}", f"Can {verb} {model}")
        for model in ("applicationform", "applicationformfield")
        for verb in ("view", "add", "change", "delete")
    ]
    for group in Group.objects.filter(name__in=["Editors", "Moderators"]):
        group.permissions.add(*form_permissions)
    clerks, _ = Group.objects.get_or_create(name=CLERKS)
    clerks.permissions.add(
        _permission(apps, "wagtailadmin", "admin", "access_admin", "Can access Wagtail admin"),
        _permission(
            apps, "applications", "application", "handle_application", "Anträge bearbeiten"
        ),
        _permission(apps, "applications", "application", "view_application", "Can view application"),
    )


def revoke(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=CLERKS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
