"""Admin dashboard: a tenant that lacks one of its legal pages sees it first thing; a portal in
preparation sees its go-live checklist."""

from __future__ import annotations

from wagtail import hooks
from wagtail.admin.ui.components import Component

from cms.legal import missing_legal_kinds
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
