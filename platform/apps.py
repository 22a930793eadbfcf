from pathlib import Path

from django.apps import AppConfig


class KreisportalConfig(AppConfig):
    """The project core as an app: templates, tasks and management commands of `platform/`."""

    name = "kreisportal"
    label = "kreisportal"
    verbose_name = "Kreisportal"
    path = str(Path(__file__).resolve().parent)

    def ready(self) -> None:
        from kreisportal.csp import give_wagtail_chooser_scripts_the_nonce

        give_wagtail_chooser_scripts_the_nonce()
