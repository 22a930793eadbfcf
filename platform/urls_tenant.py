"""URLs of a tenant's host (`<slug>.<base>` and its custom domains)."""

from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.views import branding_css
from kreisportal import views
from tenants.staff_directory import views as staff_directory_views
from tenants.views import accept_invitation

# Wagtail's own URLs (its page-serving view's answers are cached by cms.cache's middleware)
_wagtail_patterns = [p for p in wagtail_urls.urlpatterns if p.name != "wagtail_serve"]

handler404 = "kreisportal.views.page_not_found"
handler403 = "kreisportal.views.permission_denied"
handler500 = "kreisportal.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("branding.css", branding_css, name="branding-css"),
    # before Wagtail's admin URLs, which all need a signed-in user
    path("cms/einladung/<str:token>/", accept_invitation, name="accept-invitation"),
    # staff sign-in through the municipality's directory (before Wagtail's own /cms/ URLs)
    path("cms/verzeichnis/", include("tenants.staff_directory.urls")),
    # Wagtail's sign-out, then the directory's (RP-initiated logout) for directory sessions
    path("cms/logout/", staff_directory_views.sign_out, name="staff_directory_sign_out"),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("media/<path:path>", views.tenant_media, name="tenant-media"),
    path("api/", include("services.api.urls")),
    # the language switch: needs no CSRF token, so cached pages carry none (views.set_language)
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("", include("services.urls")),
    path("", include("services.accounts.urls")),
    path("", include("services.postbox.urls")),
    path("", include("payments.urls")),
    path("", include("services.fulfillment.urls")),
    path("", include("services.applications.urls")),
    path("", include("services.fitconnect.urls")),
    path("", include("services.appointments.urls")),
    path("", include("cms.urls")),
    *_wagtail_patterns,
    re_path(wagtail_urls.serve_pattern, wagtail_views.serve, name="wagtail_serve"),
]
