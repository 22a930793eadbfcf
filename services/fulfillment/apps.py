from django.apps import AppConfig


class FulfillmentConfig(AppConfig):
    name = "services.fulfillment"
    label = "fulfillment"
    verbose_name = "Automatisierte Leistungen"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from services.fulfillment import (  # noqa: F401 - signal receivers
            recovery,  # a starting worker settles left-over work
            signals,  # paid payments start pipelines
        )
