from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Mandanten"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenants.lookup import connect_signals

        connect_signals()
