from django.urls import path

from kreisportal.identity import slo_views, views

urlpatterns = [
    path("auth/start/", views.start, name="sso-start"),
    path("auth/logout/", slo_views.logout, name="sso-logout"),
    path("saml/acs/", views.acs, name="saml-acs"),
    path("oidc/callback/", views.oidc_callback, name="oidc-callback"),
    path("oidc/abgemeldet/", slo_views.oidc_logged_out, name="oidc-logged-out"),
    path("saml/slo/", slo_views.sp_slo, name="saml-slo"),
    path("saml/metadata/", views.metadata, name="saml-metadata"),
    path("sandbox-idp/sso/", views.sandbox_sso, name="sandbox-idp-sso"),
    path("sandbox-idp/slo/", slo_views.sandbox_slo, name="sandbox-idp-slo"),
    path("sandbox-idp/metadata/", views.sandbox_metadata, name="sandbox-idp-metadata"),
]
