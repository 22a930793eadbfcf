from django.urls import path

from services.accounts import views

urlpatterns = [
    path("konto/", views.account, name="account"),
    path("konto/anmelden/", views.sign_in, name="account-sign-in"),
    path("konto/rueckkehr/", views.callback, name="account-callback"),
    path("konto/abmelden/", views.sign_out, name="account-sign-out"),
    path("konto/abgemeldet/", views.signed_out, name="account-signed-out"),
    path("konto/abgebrochen/", views.sign_in_cancelled, name="account-sign-in-cancelled"),
    path("konto/export/", views.export, name="account-export"),
    path("konto/loeschen/", views.delete, name="account-delete"),
]
