from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "services.applications"
    label = "applications"
    verbose_name = "Online-Anträge"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from payments.owners import register_owner
        from services.applications import (  # noqa: F401
            tasks,  # registered in every process: actions queue them by name
        )
        from services.applications.actions import PAYS_FOR_APPLICATION, do_mark_paid
        from services.applications.contrib import confirmation  # noqa: F401 - registers itself

        # a booked fee moves its application on (and starts automated handling)
        register_owner(PAYS_FOR_APPLICATION, lambda payment: do_mark_paid(payment=payment))
