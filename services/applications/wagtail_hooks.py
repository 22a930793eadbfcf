"""Tenant's Wagtail admin: editors define online application forms (snippets); clerks work the
staff inbox ("Anträge")."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, HelpPanel, InlinePanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from services.applications import inbox
from services.applications.handlers import handlers
from services.applications.models import ApplicationForm


class ApplicationFormViewSet(SnippetViewSet):
    model = ApplicationForm
    icon = "form"
    menu_label = _("Online-Antragsformulare")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["title", "local_service", "fee_cents", "handling", "active"]
    list_filter = ["active", "handling"]
    search_fields = ["title"]
    search_backend_name = None

    def get_queryset(self, request):
        """Forms editors define; a handler's own order form (the cadastre's) is not theirs."""
        internal = [handler.identifier for handler in handlers if not handler.handles_applications]
        return ApplicationForm.objects.exclude(handling__in=internal)

    panels = [
        HelpPanel(
            content=_(
                "Aus einer Leistung Ihres Katalogs wird ein Online-Antrag: Felder, Gebühr, "
                "Mindest-Vertrauensniveau und wer ihn bearbeitet (Posteingang der "
                "Sachbearbeitung oder automatisch). Der Antrag erscheint auf der Seite der "
                "Leistung unter „Online beantragen“."
            )
        ),
        MultiFieldPanel(
            [
                FieldPanel("local_service"),
                FieldPanel("title"),
                FieldPanel("slug"),
                FieldPanel("intro"),
            ],
            heading=_("Leistung und Text"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("fee_cents"),
                FieldPanel("min_trust_level"),
                FieldPanel("handling"),
                FieldPanel("active"),
            ],
            heading=_("Gebühr, Anmeldung, Bearbeitung"),
        ),
        InlinePanel("fields", heading=_("Formularfelder"), label=_("Feld"), min_num=1),
    ]


register_snippet(ApplicationFormViewSet)


@hooks.register("register_admin_urls")
def _inbox_urls():
    return [
        path("antraege/", inbox.index, name="applications_inbox"),
        path("antraege/<int:pk>/", inbox.detail, name="applications_inbox_detail"),
        path(
            "antraege/<int:pk>/datei/<int:upload_pk>/",
            inbox.upload_file,
            name="applications_inbox_upload",
        ),
        path("antraege/<int:pk>/dokument/", inbox.document, name="applications_inbox_document"),
    ]


class InboxMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("applications.handle_application")


@hooks.register("register_admin_menu_item")
def _inbox_menu_item():
    return InboxMenuItem(
        _("Anträge (Posteingang)"), reverse("applications_inbox"), icon_name="mail", order=200
    )
