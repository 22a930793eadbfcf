"""One case, step 3 of 3: the order's own life-cycle columns go (the application holds them)
and every order has its application."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("fulfillment", "0005_orders_to_applications"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="cadastralorder", options={"ordering": ["-application__created"]}
        ),
        migrations.RemoveField(model_name="cadastralorder", name="citizen"),
        migrations.RemoveField(model_name="cadastralorder", name="completed"),
        migrations.RemoveField(model_name="cadastralorder", name="created"),
        migrations.RemoveField(model_name="cadastralorder", name="document"),
        migrations.RemoveField(model_name="cadastralorder", name="fee_cents"),
        migrations.RemoveField(model_name="cadastralorder", name="payment"),
        migrations.RemoveField(model_name="cadastralorder", name="status"),
        migrations.AlterField(
            model_name="cadastralorder",
            name="application",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="cadastral_order",
                to="applications.application",
            ),
        ),
    ]
