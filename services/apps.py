from django.apps import AppConfig


class ServicesConfig(AppConfig):
    """The shared catalogue (public schema): services, topics, life situations, the finder's
    read model. The local extension is the tenant app `services.local`."""

    name = "services"
    verbose_name = "Leistungskatalog"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from services import (
            finder,
            tasks,  # noqa: F401 - registers the tasks queued by name (services.local.signals)
        )
        from tenants.hooks import tenant_restored

        def rebuild_offers(*, tenant, hostname) -> None:
            finder.sync_offers(tenant=tenant)  # looked up per call (tests replace it)

        tenant_restored.connect("services.finder", rebuild_offers)
