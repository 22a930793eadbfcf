"""The postbox moves here from `accounts` (its rows stay: the model is taken over in the
migration state, then its table renamed to this app's name)."""

import uuid

import django.db.models.deletion
from django.db import migrations, models

import kreisportal.files


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0005_postbox_moves_to_its_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PostboxMessage",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("subject", models.CharField(max_length=200, verbose_name="Betreff")),
                        ("body", models.TextField(verbose_name="Nachricht")),
                        (
                            "attachment",
                            models.FileField(
                                blank=True,
                                storage=kreisportal.files.PrivateTenantStorage(),
                                upload_to=kreisportal.files.private_upload_to("postfach"),
                                verbose_name="Anhang",
                            ),
                        ),
                        (
                            "attachment_name",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="Name des Anhangs"
                            ),
                        ),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "citizen",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="messages",
                                to="accounts.citizen",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "Postfachnachricht",
                        "verbose_name_plural": "Postfach",
                        "ordering": ["-created"],
                        "db_table": "accounts_postboxmessage",
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="postboxmessage", table=None),
    ]
