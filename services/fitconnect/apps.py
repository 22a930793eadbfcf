from django.apps import AppConfig


class FitConnectConfig(AppConfig):
    name = "services.fitconnect"
    label = "fitconnect"
    verbose_name = "FIT-Connect und ZBP"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from services.applications.hooks import status_changed
        from services.applications.models import add_action_labels
        from services.fitconnect import (  # noqa: F401
            handler,  # registers "fitconnect" with the applications' handlers
            tasks,  # registered in every process: actions queue them by name
            zbp,
        )
        from services.postbox.hooks import message_delivered

        # a postbox message also goes to the citizen's ZBP (a channel of the postbox)
        message_delivered.connect("fitconnect.zbp", zbp.on_message_delivered)
        # and every status change of a case to the citizen's status monitor, at once
        status_changed.connect("fitconnect.zbp", zbp.on_status_changed)
        add_action_labels({"fitconnect_accepted": "von der zuständigen Stelle angenommen"})
