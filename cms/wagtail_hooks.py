"""Admin dashboard: a tenant that lacks one of its legal pages sees it first thing; a portal in
preparation sees its go-live checklist; an accessibility statement not reviewed for a year is
called out. The visitors' barrier reports are listed for the portal's editors."""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.model import ModelViewSet

from cms.accessibility import BarrierReport
from cms.invitations_admin import invite_colleague
from cms.legal import missing_legal_kinds, statement_review_overdue
from tenants.actions import open_go_live_items
from tenants.invitations import may_invite


class MissingLegalPagesPanel(Component):
    name = "missing_legal_pages"
    order = 10
    template_name = "cms/admin/missing_legal_pages.html"

    def __init__(self, missing: list[str]):
        self.missing = missing

    def get_context_data(self, parent_context=None):
        return {"missing": self.missing}


@hooks.register("construct_homepage_panels")
def add_missing_legal_pages_panel(request, panels) -> None:
    missing = missing_legal_kinds()
    if missing:
        panels.insert(0, MissingLegalPagesPanel(missing))


class GoLiveChecklistPanel(Component):
    name = "go_live_checklist"
    order = 5
    template_name = "cms/admin/go_live_checklist.html"

    def __init__(self, open_items: list[str]):
        self.open_items = open_items

    def get_context_data(self, parent_context=None):
        return {"open_items": self.open_items}


@hooks.register("construct_homepage_panels")
def add_go_live_checklist_panel(request, panels) -> None:
    tenant = getattr(request, "tenant", None)
    if tenant is not None and getattr(tenant, "is_preparing", False):
        panels.insert(0, GoLiveChecklistPanel(open_go_live_items(tenant)))


@hooks.register("register_admin_urls")
def register_invitation_url():
    return [path("einladen/", invite_colleague, name="cms_invite_colleague")]


class InviteMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return may_invite(request.user)


@hooks.register("register_settings_menu_item")
def register_invite_menu_item():
    return InviteMenuItem(
        "Kolleginnen und Kollegen einladen",
        reverse("cms_invite_colleague"),
        icon_name="user",
        order=610,
    )


class StatementReviewPanel(Component):
    name = "accessibility_statement_review"
    order = 15
    template_name = "cms/admin/statement_review.html"


@hooks.register("construct_homepage_panels")
def add_statement_review_panel(request, panels) -> None:
    if statement_review_overdue():
        panels.append(StatementReviewPanel())


class BarrierReportViewSet(ModelViewSet):
    """Visitors' reports (Barriere melden): the editors read them and mark them done. Nobody adds
    one here; they come from the form on the portal."""

    model = BarrierReport
    icon = "warning"
    menu_label = _("Barrieremeldungen")
    add_to_admin_menu = True
    menu_order = 900
    form_fields = ["handled"]
    list_display = ["created_at", "page_url", "description", "handled"]
    list_filter = ["handled"]
    inspect_view_enabled = True
    inspect_view_fields = ["created_at", "page_url", "description", "name", "email", "handled"]


@hooks.register("register_admin_viewset")
def register_barrier_reports():
    return BarrierReportViewSet("barrier_reports")


@hooks.register("construct_homepage_panels")
def add_editor_dashboard_panel(request, panels) -> None:
    from cms.dashboard import EditorDashboardPanel

    panels.insert(0, EditorDashboardPanel(request))
