from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from services.api import views
from services.api.appointments import SlotsView
from services.api.errors import not_found

urlpatterns = [
    path("v1/services/", views.ServiceListView.as_view(), name="api-services"),
    path("v1/services/export/", views.ExportView.as_view(), name="api-export"),
    path("v1/services/<str:leika_key>/", views.ServiceDetailView.as_view(), name="api-service"),
    path("v1/offices/", views.OfficeListView.as_view(), name="api-offices"),
    path("v1/finder/", views.FinderView.as_view(), name="api-finder"),
    path("v1/appointments/slots/", SlotsView.as_view(), name="api-appointment-slots"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file: no inline script (CSP)
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Any other path under /api/ ending in a slash: a JSON 404, not the HTML page of the site.
    # (Without the slash, APPEND_SLASH still redirects here first, as for every other URL.)
    re_path(r"^(.*/)?$", not_found, name="api-not-found"),
]
