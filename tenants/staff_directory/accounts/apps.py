from django.apps import AppConfig


class DirectoryAccountsConfig(AppConfig):
    """The tenant-schema side of the staff directory: per directory account, the groups an
    invitation granted (revocable in the portal) and who switched the account off. A tenant
    app, so the record lives and dies with the tenant's schema, never keyed by slug."""

    name = "tenants.staff_directory.accounts"
    label = "staff_directory_accounts"
    verbose_name = "Konten aus dem Verzeichnis der Kommune"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tenants.staff_directory.accounts import signals  # noqa: F401
