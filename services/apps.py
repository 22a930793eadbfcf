from django.apps import AppConfig


class ServicesConfig(AppConfig):
    """The shared catalogue (public schema): services, topics, life situations, the finder's
    read model. The local extension is the tenant app `services.local`."""

    name = "services"
    verbose_name = "Leistungskatalog"
    default_auto_field = "django.db.models.BigAutoField"
