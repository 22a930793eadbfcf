"""One case: a cadastral order becomes an application of the cadastre handler. Step 1 of 3:
the link to the application (filled in by 0005, required from 0006)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0005_application_completed_at"),
        ("fulfillment", "0003_payments_say_what_they_pay_for"),
    ]

    operations = [
        migrations.AddField(
            model_name="cadastralorder",
            name="application",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="cadastral_order",
                to="applications.application",
            ),
        ),
    ]
