from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "services.appointments"
    label = "appointments"
    verbose_name = "Terminvergabe"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # registers the Celery tasks (reminders, expiry of held bookings) in every process
        from services.appointments import tasks  # noqa: F401
