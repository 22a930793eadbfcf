from django.apps import AppConfig


class DistrictNewsConfig(AppConfig):
    """The public read model of the district's news (a shared app: its table is in the public
    schema), written by cms when the district publishes and read by municipal home pages."""

    name = "cms.district_news"
    label = "district_news"
    verbose_name = "Nachrichten des Kreises (Lesemodell)"
    default_auto_field = "django.db.models.BigAutoField"
