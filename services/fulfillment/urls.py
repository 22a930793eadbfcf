from django.urls import path

from services.fulfillment import views

urlpatterns = [
    path("liegenschaftsauskunft/", views.search, name="cadastre-search"),
    path("liegenschaftsauskunft/bestellen/", views.order, name="cadastre-order"),
    path(
        "liegenschaftsauskunft/auftrag/<str:order_id>/", views.order_status, name="cadastre-status"
    ),
    path(
        "liegenschaftsauskunft/auftrag/<str:order_id>/stand/",
        views.order_status_json,
        name="cadastre-status-json",
    ),
    path(
        "liegenschaftsauskunft/auftrag/<str:order_id>/bezahlen/",
        views.pay_order,
        name="cadastre-pay",
    ),
    path(
        "liegenschaftsauskunft/auftrag/<str:order_id>/dokument/",
        views.order_document,
        name="cadastre-document",
    ),
    path("liegenschaftsauskunft/pruefen/", views.verify, name="cadastre-verify"),
]
