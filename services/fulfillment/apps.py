from django.apps import AppConfig


class FulfillmentConfig(AppConfig):
    """The cadastre plugin: the demo register, the order page and the handler of applications
    that completes an order with its PDF (services.fulfillment.handler)."""

    name = "services.fulfillment"
    label = "fulfillment"
    verbose_name = "Liegenschaftsauskunft"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from services.accounts.hooks import personal_data_export
        from services.fulfillment import handler  # noqa: F401 - registers the handler
        from services.fulfillment.selectors import export_orders

        personal_data_export.connect("fulfillment", export_orders)
