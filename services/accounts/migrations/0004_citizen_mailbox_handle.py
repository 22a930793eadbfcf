from django.db import migrations


class Migration(migrations.Migration):
    """The issue's and the ZBP channel's name for it: the mailbox handle."""

    dependencies = [
        ("accounts", "0003_citizen_postbox_handle"),
    ]

    operations = [
        migrations.RenameField(
            model_name="citizen", old_name="postbox_handle", new_name="mailbox_handle"
        ),
    ]
