from django.apps import AppConfig


class LocalServicesConfig(AppConfig):
    name = "services.local"
    label = "services_local"
    verbose_name = "Leistungen vor Ort"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from services.local import signals  # noqa: F401 - connects the read-model sync
        from services.local.checklist import add_go_live_items
        from tenants.hooks import go_live_checklist

        go_live_checklist.connect("services.checklist", add_go_live_items)
