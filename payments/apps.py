from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"
    verbose_name = "Zahlungen"
    default_auto_field = "django.db.models.BigAutoField"
