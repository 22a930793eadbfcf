from django.urls import path

from services.fitconnect import views

urlpatterns = [
    path("fitconnect/callback/", views.callback, name="fitconnect-callback"),
]
