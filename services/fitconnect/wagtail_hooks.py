"""Tenant's Wagtail admin: FIT-Connect deliveries (failing first), each form's destination,
the Sandbox-Fachverfahren and the sandbox ZBP."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from services.fitconnect import views
from services.fitconnect.models import Delivery, FormDestination


class FormDestinationViewSet(SnippetViewSet):
    model = FormDestination
    icon = "mail"
    menu_label = _("FIT-Connect-Zustellpunkte")
    add_to_admin_menu = False
    list_display = ["form", "mode", "destination_id", "authority_name"]


register_snippet(FormDestinationViewSet)


@hooks.register("register_admin_urls")
def _urls():
    return [
        path("fitconnect/", views.deliveries, name="fitconnect_deliveries"),
        path("fitconnect/<uuid:public_id>/erneut/", views.retry, name="fitconnect_retry"),
        path("fitconnect/sandbox/", views.sandbox_index, name="fitconnect_sandbox"),
        path(
            "fitconnect/sandbox/<str:submission_id>/",
            views.sandbox_detail,
            name="fitconnect_sandbox_detail",
        ),
        path(
            "fitconnect/sandbox/anlage/<int:pk>/",
            views.sandbox_attachment,
            name="fitconnect_sandbox_attachment",
        ),
    ]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("applications.handle_application")


class DeliveriesMenuItem(StaffMenuItem):
    def get_context(self, request):
        context = super().get_context(request)
        failed = Delivery.objects.filter(state=Delivery.State.FAILED).count()
        if failed:
            context["label"] = f"{self.label} ({failed} fehlgeschlagen)"
        return context


@hooks.register("register_admin_menu_item")
def _deliveries_item():
    return DeliveriesMenuItem(
        _("FIT-Connect-Zustellungen"), reverse("fitconnect_deliveries"), icon_name="mail", order=205
    )


@hooks.register("register_admin_menu_item")
def _sandbox_item():
    return StaffMenuItem(
        _("Sandbox-Fachverfahren (Demo)"),
        reverse("fitconnect_sandbox"),
        icon_name="warning",
        order=206,
    )
