from django.urls import path

from services.postbox import views

urlpatterns = [
    path("konto/postfach/<str:message_id>/", views.message_detail, name="account-message"),
    path(
        "konto/postfach/<str:message_id>/anhang/",
        views.message_attachment,
        name="account-attachment",
    ),
]
