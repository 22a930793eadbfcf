"""Admin dashboard: a tenant that lacks one of its legal pages sees it first thing; a portal in
preparation sees its go-live checklist; an accessibility statement not reviewed for a year is
called out. The visitors' barrier reports are listed for the portal's editors."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.model import ModelViewSet

from cms.accessibility import BarrierReport
from cms.legal import missing_legal_kinds, statement_review_overdue
from tenants.actions import open_go_live_items


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
