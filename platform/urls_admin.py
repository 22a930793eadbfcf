"""URLs of `admin.<BASE_DOMAIN>` (public schema): the district IT team's tenant administration.

The bare base domain (`kreisportal.urls_public`) has no admin; `PortalTenantMiddleware` picks
this URLconf by host name.
"""

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from cms.branding_admin import tenant_branding
from kreisportal import views

admin.site.site_header = "Kreisportal – Mandantenverwaltung"
admin.site.site_title = "Kreisportal"
admin.site.index_title = "Verwaltung der Mandanten"

handler404 = "kreisportal.views.page_not_found"
handler403 = "kreisportal.views.permission_denied"
handler500 = "kreisportal.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # the IT team's branding form for a portal (cms: the tenant admin cannot import it)
    path(
        "admin/tenants/tenant/<str:object_id>/gestaltung/",
        admin.site.admin_view(tenant_branding),
        name="tenant_branding",
    ),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/admin/", permanent=False), name="admin-host-index"),
]
