from django.urls import path

from services.applications import views

urlpatterns = [
    path("antraege/vorgang/<str:public_id>/", views.detail, name="application-detail"),
    path("antraege/vorgang/<str:public_id>/bezahlen/", views.pay, name="application-pay"),
    path("antraege/vorgang/<str:public_id>/antworten/", views.reply, name="application-reply"),
    path(
        "antraege/vorgang/<str:public_id>/zurueckziehen/",
        views.withdraw,
        name="application-withdraw",
    ),
    path("antraege/vorgang/<str:public_id>/dokument/", views.document, name="application-document"),
    path(
        "antraege/vorgang/<str:public_id>/datei/<str:upload_id>/",
        views.upload_file,
        name="application-upload",
    ),
    path("antraege/<slug:slug>/", views.fill_in, name="application-form"),
    path("antraege/<slug:slug>/pruefen/", views.review, name="application-review"),
]
