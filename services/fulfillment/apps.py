from django.apps import AppConfig


class FulfillmentConfig(AppConfig):
    name = "services.fulfillment"
    label = "fulfillment"
    verbose_name = "Automatisierte Leistungen"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from services.fulfillment import signals  # noqa: F401 - paid payments start pipelines
