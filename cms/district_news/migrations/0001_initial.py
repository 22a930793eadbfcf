"""The read model moves here from `tenants` (its rows stay: the model is taken over in the
migration state, then its table renamed to this app's name)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("tenants", "0006_district_news_moves_to_its_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DistrictNewsItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("page_id", models.PositiveIntegerField(unique=True)),
                        ("title", models.CharField(max_length=255)),
                        ("teaser", models.TextField(blank=True)),
                        ("date", models.DateField()),
                        (
                            "path",
                            models.CharField(
                                help_text="path of the article on the district's host",
                                max_length=500,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-date", "-page_id"],
                        "db_table": "tenants_districtnewsitem",
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="districtnewsitem", table=None),
    ]
