from django.urls import path

from services.appointments import views

app_name = "appointments"
urlpatterns = [
    path("termine/", views.start, name="start"),
    path("termine/<uuid:schedule_id>/", views.calendar, name="calendar"),
    path("termine/<uuid:schedule_id>/buchen/", views.book, name="book"),
    path("termine/bestaetigen/<str:token>/", views.confirm, name="confirm"),
    path("termine/termin/<str:token>/", views.manage, name="manage"),
    path("termine/termin/<str:token>/umbuchen/", views.rebook, name="rebook"),
    path("termine/termin/<str:token>/termin.ics", views.ics, name="ics"),
    path("termine/aufruf/<uuid:schedule_id>/", views.callboard, name="callboard"),
    path(
        "termine/aufruf/<uuid:schedule_id>/daten.json", views.callboard_data, name="callboard-data"
    ),
]
