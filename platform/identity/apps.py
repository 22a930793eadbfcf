from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Single sign-on broker on the public host: SAML 2.0 service provider (BundID profile),
    the built-in sandbox identity provider, one-time codes for the tenants."""

    name = "kreisportal.identity"
    label = "identity"
    verbose_name = "Anmeldung"
    default_auto_field = "django.db.models.BigAutoField"
