from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0006_called_counter"),
    ]

    operations = [
        migrations.AddField(
            model_name="appointment",
            name="language",
            field=models.CharField(default="de", max_length=8, verbose_name="Sprache"),
        ),
    ]
