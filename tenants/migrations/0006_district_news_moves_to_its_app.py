"""The district news read model moves to its own app (cms.district_news): taken out of this
app's migration state only; the table and its rows stay for the new app to take over."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0005_status_preparing"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DistrictNewsItem")],
        ),
    ]
