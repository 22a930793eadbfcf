from django.urls import path

from services.accounts import views

urlpatterns = [
    path("konto/", views.account, name="account"),
    path("konto/anmelden/", views.sign_in, name="account-sign-in"),
    path("konto/rueckkehr/", views.callback, name="account-callback"),
    path("konto/abmelden/", views.sign_out, name="account-sign-out"),
    path("konto/export/", views.export, name="account-export"),
    path("konto/loeschen/", views.delete, name="account-delete"),
]
