from django.urls import path

from tenants.staff_directory import views

app_name = "staff_directory"

urlpatterns = [
    path("anmelden/", views.start, name="start"),
    path("rueckkehr/", views.callback, name="callback"),
]
