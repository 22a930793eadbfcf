from django.apps import AppConfig


class PostboxConfig(AppConfig):
    """The citizen's postbox in a tenant: messages from the authority with their attachments
    (private files), one delivery path with an e-mail notice and further channels (hook
    message_delivered: the federal postbox, services.fitconnect.zbp)."""

    name = "services.postbox"
    label = "postbox"
    verbose_name = "Postfach"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from services.accounts.hooks import personal_data_export
        from services.postbox.selectors import export_messages

        personal_data_export.connect("postbox", export_messages)
