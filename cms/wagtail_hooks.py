"""Admin dashboard: a tenant that lacks one of its legal pages sees it first thing."""

from __future__ import annotations

from wagtail import hooks
from wagtail.admin.ui.components import Component

from cms.legal import missing_legal_kinds


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
