"""Editors own their portal's branding: Wagtail's Editors and Moderators groups (in every tenant
schema and the template new tenants are cloned from) may view and change the branding settings.
Without it the demo editor got "Sie haben leider keinen Zugang zu diesem Bereich"."""

from django.db import migrations

GROUPS = ["Editors", "Moderators"]
VERBS = ["view", "change"]


def grant(apps, schema_editor):
    # Permissions are normally created after migrate (post_migrate); create them here so the
    # groups can be given them in the same run.
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="cms", model="brandingsettings")
    wanted = [
        Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{verb}_brandingsettings",
            defaults={"name": f"Can {verb} Branding"},
        )[0]
        for verb in VERBS
    ]
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*wanted)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="cms", codename__in=[f"{v}_brandingsettings" for v in VERBS]
    )
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0002_contentpage_legalpage_newsindexpage_and_more"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
