from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "services.applications"
    label = "applications"
    verbose_name = "Online-Anträge"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from payments.owners import register_owner
        from services.accounts.hooks import kept_records_count, personal_data_export
        from services.applications import (  # noqa: F401
            recovery,  # a starting worker settles what a killed one left
            tasks,  # registered in every process: actions queue them by name
        )
        from services.applications.actions import PAYS_FOR_APPLICATION, do_mark_paid
        from services.applications.contrib import confirmation  # noqa: F401 - registers itself
        from services.applications.selectors import (
            count_kept_applications,
            export_applications,
        )

        # a booked fee moves its application on (and starts automated handling)
        register_owner(PAYS_FOR_APPLICATION, lambda payment: do_mark_paid(payment=payment))
        personal_data_export.connect("applications", export_applications)
        kept_records_count.connect("applications", count_kept_applications)
