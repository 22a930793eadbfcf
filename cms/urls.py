"""Citizen URLs of the cms app (tenant hosts)."""

from django.urls import path

from cms import views

urlpatterns = [
    path("barriere-melden/", views.report_barrier, name="barrier-report"),
    path("barriere-melden/danke/", views.report_barrier_thanks, name="barrier-report-thanks"),
]
