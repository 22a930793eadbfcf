from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0004_payments_say_what_they_pay_for"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="completed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
