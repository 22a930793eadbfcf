from django.apps import AppConfig


class StaffDirectoryConfig(AppConfig):
    """Staff sign-in to a tenant's /cms/ through the municipality's own OpenID Connect
    directory (Keycloak, Active Directory Federation Services, …). A shared app: the IT team
    configures it per tenant in the tenant administration, so its tables are in the public
    schema, keyed by tenant; the staff accounts it creates live in that tenant's schema only."""

    name = "tenants.staff_directory"
    label = "staff_directory"
    verbose_name = "Anmeldung der Mitarbeitenden über das Verzeichnis der Kommune"
    default_auto_field = "django.db.models.BigAutoField"
