from django.urls import path

from kreisportal.identity import views

urlpatterns = [
    path("auth/start/", views.start, name="sso-start"),
    path("auth/logout/", views.logout, name="sso-logout"),
    path("saml/acs/", views.acs, name="saml-acs"),
    path("oidc/callback/", views.oidc_callback, name="oidc-callback"),
    path("saml/metadata/", views.metadata, name="saml-metadata"),
    path("sandbox-idp/sso/", views.sandbox_sso, name="sandbox-idp-sso"),
    path("sandbox-idp/metadata/", views.sandbox_metadata, name="sandbox-idp-metadata"),
]
