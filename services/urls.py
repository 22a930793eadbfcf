from django.urls import path

from services import views
from services.xzufi.views import xzufi_export

app_name = "services"
urlpatterns = [
    path("leistungen/", views.catalogue_index, name="index"),
    path("leistungen/suche/klick/", views.search_click, name="search-click"),
    path("leistungen/a-z/<str:letter>/", views.by_letter, name="letter"),
    path("leistungen/themen/<slug:slug>/", views.by_topic, name="topic"),
    path("leistungen/lebenslagen/<slug:slug>/", views.by_life_situation, name="life-situation"),
    path("leistungen/<str:leika_key>/", views.service_detail, name="detail"),
    path("finder/", views.finder, name="finder"),
    path("xzufi.xml", xzufi_export, name="xzufi"),
]
