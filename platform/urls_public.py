"""URLs of the bare base domain (public schema): the portal list, the district-wide finder and
API, and the single sign-on broker (PUBLIC_URL). The district IT team's admin is not here: it
lives on `admin.<BASE_DOMAIN>` only (`kreisportal.urls_admin`, chosen by host in
`PortalTenantMiddleware`)."""

from django.urls import include, path

from kreisportal import views
from services.views import finder
from tenants.views import portal_index

handler404 = "kreisportal.views.page_not_found"
handler403 = "kreisportal.views.permission_denied"
handler500 = "kreisportal.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("tls/allowed", views.tls_allowed, name="tls-allowed"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("api/", include("services.api.urls")),
    path("finder/", finder, name="finder"),
    # the demo's XBezahldienste platform (404 in production), payments/sandbox_platform.py
    path("xbezahldienste-sandbox/", include("payments.sandbox_platform")),
    path("", include("kreisportal.identity.urls")),
    path("", portal_index, name="portal-index"),
]
