from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "services.appointments"
    label = "appointments"
    verbose_name = "Terminvergabe"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from services.accounts.hooks import personal_data_export

        # registers the Celery tasks (reminders, expiry of held bookings) in every process
        from services.appointments import tasks  # noqa: F401
        from services.appointments.selectors import export_appointments

        personal_data_export.connect("appointments", export_appointments)
