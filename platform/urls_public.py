"""URLs of the public host (bare base domain and admin.<base>): the district IT team's admin."""

from django.contrib import admin
from django.urls import include, path

from kreisportal import views
from services.views import finder
from tenants.views import portal_index

admin.site.site_header = "Kreisportal – Mandantenverwaltung"
admin.site.site_title = "Kreisportal"
admin.site.index_title = "Verwaltung der Mandanten"

handler500 = "kreisportal.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("tls/allowed", views.tls_allowed, name="tls-allowed"),
    path("admin/", admin.site.urls),
    path("api/", include("services.api.urls")),
    path("finder/", finder, name="finder"),
    path("", include("kreisportal.identity.urls")),
    path("", portal_index, name="portal-index"),
]
