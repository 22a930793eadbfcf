from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "services.applications"
    label = "applications"
    verbose_name = "Online-Anträge"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from services.applications import signals  # noqa: F401 - paid payments move applications
