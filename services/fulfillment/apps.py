from django.apps import AppConfig


class FulfillmentConfig(AppConfig):
    name = "services.fulfillment"
    label = "fulfillment"
    verbose_name = "Automatisierte Leistungen"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from payments.owners import register_owner
        from services.fulfillment import recovery  # noqa: F401 - a starting worker settles work
        from services.fulfillment.actions import PAYS_FOR_CADASTRAL_ORDER
        from services.fulfillment.pipelines import start_pipeline_of_paid_order

        register_owner(PAYS_FOR_CADASTRAL_ORDER, start_pipeline_of_paid_order)
