"""The group "Terminverwaltung" in every tenant schema: Wagtail admin access, the day view
(manage_appointments) and the schedules (hours, counters, services, exceptions)."""

from django.db import migrations

PERMISSIONS = {
    ("appointments", "officeschedule"): ["view", "add", "change", "delete", "manage_appointments"],
    ("appointments", "officeservice"): ["view", "add", "change", "delete"],
    ("appointments", "scheduleexception"): ["view", "add", "change", "delete"],
    ("appointments", "block"): ["view", "add", "change", "delete"],
    ("appointments", "appointment"): ["view"],
    ("services_local", "office"): ["view"],
}


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.get_or_create(name="Terminverwaltung")
    wanted = []
    admin_type, _ = ContentType.objects.get_or_create(app_label="wagtailadmin", model="admin")
    access, _ = Permission.objects.get_or_create(
        content_type=admin_type, codename="access_admin",
        defaults={"name": "Can access Wagtail admin"},
    )
    wanted.append(access)
    for (app_label, model), verbs in PERMISSIONS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        for verb in verbs:
            codename = verb if verb == "manage_appointments" else f"{verb}_{model}"
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=codename,
                defaults={"name": f"Can {verb} {model}"},
            )
            wanted.append(permission)
    group.permissions.add(*wanted)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Terminverwaltung").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0002_initial"),
        ("services_local", "0002_editor_permissions"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
