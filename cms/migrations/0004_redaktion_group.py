"""The group "Redaktion" in every tenant schema and the template: the portal's editorial team,
the people invited through the tenant administration (tenants.invitations). Its members may open
the Wagtail admin, set the portal's branding and invite colleagues (checked by membership, see
tenants.invitations.may_invite). Invited people are also put in Wagtail's "Moderators" group,
which carries the page, image, document and catalogue rights; Editors and Moderators keep
theirs."""

from django.db import migrations

GROUP = "Redaktion"
WANTED = [
    ("wagtailadmin", "admin", "access_admin", "Can access Wagtail admin"),
    ("cms", "brandingsettings", "view_brandingsettings", "Can view Branding"),
    ("cms", "brandingsettings", "change_brandingsettings", "Can change Branding"),
]


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app_label, model, codename, name in WANTED:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        group.permissions.add(permission)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_editor_branding_permission"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
