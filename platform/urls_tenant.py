"""URLs of a tenant's host (`<slug>.<base>` and its custom domains)."""

from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from kreisportal import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/", include("services.api.urls")),
    path("", include("services.urls")),
    path("", include(wagtail_urls)),
]
