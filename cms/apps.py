from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "Inhalte"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cms import signals  # noqa: F401 - district news read model, page cache purge
        from cms.signals import catalogue_imported
        from cms.slugs import connect as connect_german_slugs
        from cms.tenant_hooks import add_go_live_items, point_restored_site, set_up_portal_site
        from services.hooks import catalogue_changed
        from tenants.hooks import go_live_checklist, tenant_provisioned, tenant_restored

        catalogue_changed.connect("cms.page_cache", catalogue_imported)

        tenant_provisioned.connect("cms.site", set_up_portal_site)
        go_live_checklist.connect("cms.checklist", add_go_live_items)
        tenant_restored.connect("cms.site", point_restored_site)
        connect_german_slugs()  # German transliteration of page slugs (admin and server)
