from django.apps import AppConfig


class FitConnectConfig(AppConfig):
    name = "services.fitconnect"
    label = "fitconnect"
    verbose_name = "FIT-Connect und ZBP"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from services.fitconnect import (  # noqa: F401
            handler,  # registers "fitconnect" with the applications' handlers
            tasks,  # registered in every process: actions queue them by name
        )
