"""The postbox moves to its own app (services.postbox): taken out of this app's migration
state only; the table and its rows stay for the new app to take over."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_citizen_mailbox_handle"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PostboxMessage")],
        ),
    ]
