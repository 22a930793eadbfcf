"""The editors' dashboard panel: shortcuts to their daily work (a new news item, the local
catalogue, the applications inbox, the go-live checklist) and what needs their attention
(applications waiting for a clerk, legal pages not published, searches that found nothing).
Registered by cms/wagtail_hooks.py; runs in the tenant's schema."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.ui.components import Component

from cms.legal import TO_COMPLETE, LegalKind, LegalPage, legal_pages_to_complete
from cms.news import NewsIndexPage
from services.local import review_admin


@dataclass(frozen=True)
class Link:
    label: str
    url: str


def _url(name: str, *args: object) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _may_handle_applications(request: HttpRequest) -> bool:
    """The inbox refuses editors without the clerk's permission: no link leads them there."""
    return request.user.has_perm("applications.handle_application")


def shortcuts(request: HttpRequest) -> list[Link]:
    links = []
    news_index = NewsIndexPage.objects.first()
    if news_index is not None:
        url = _url("wagtailadmin_pages:add", "cms", "newsarticlepage", news_index.pk)
        links.append(Link(_("Neue Meldung"), url))
    catalogue = _url("wagtailsnippets_services_local_localservice:list")
    links.append(Link(_("Leistungskatalog"), catalogue))
    if _may_handle_applications(request):
        links.append(Link(_("Posteingang (Anträge)"), _url("applications_inbox")))
    tenant = getattr(request, "tenant", None)
    if getattr(tenant, "is_preparing", False):
        links.append(Link(_("Checkliste zum Live-Schalten"), "#go-live-heading"))
    elif review_admin.is_shown(request):  # the review page refuses everyone else
        links.append(Link(_("Katalog prüfen"), _url("review_catalogue")))
    return [link for link in links if link.url]


def attention(request: HttpRequest) -> list[Link]:
    from services.applications import states
    from services.applications.models import CLERK, Application
    from services.local.models import SearchQueryStat

    items = []
    # open cases of forms handled in the inbox (automated ones wait for nobody here), only
    # for those who may open the inbox
    waiting = 0
    if _may_handle_applications(request):
        waiting = Application.objects.filter(
            status__in=states.OPEN_FOR_CLERK, form__handling=CLERK
        ).count()
    if waiting:
        label = ngettext(
            "%(count)d Antrag wartet auf Bearbeitung",
            "%(count)d Anträge warten auf Bearbeitung",
            waiting,
        ) % {"count": waiting}
        items.append(Link(label, _url("applications_inbox")))
    # each unpublished legal page links to its editor (its draft), else to the page tree
    live = set(LegalPage.objects.live().values_list("kind", flat=True))
    drafts = dict(LegalPage.objects.values_list("kind", "pk"))
    for kind, label in LegalKind.choices:
        if kind in live:
            continue
        text = _("%(page)s ist nicht veröffentlicht") % {"page": label}
        url = _url("wagtailadmin_pages:edit", drafts[kind]) if kind in drafts else ""
        items.append(Link(text, url or _url("wagtailadmin_explore_root")))
    # published with places still marked for completion: the go-live checklist refuses them
    for page in legal_pages_to_complete():
        text = _("%(page)s enthält noch Stellen „%(marker)s“") % {
            "page": LegalKind(page.kind).label,
            "marker": TO_COMPLETE,
        }
        items.append(Link(text, _url("wagtailadmin_pages:edit", page.pk)))
    not_found = SearchQueryStat.objects.filter(empty__gt=0).count()
    if not_found:
        label = ngettext(
            "%(count)d Suchanfrage ohne Treffer",
            "%(count)d Suchanfragen ohne Treffer",
            not_found,
        ) % {"count": not_found}
        items.append(Link(label, _url("search_report")))
    return items


class EditorDashboardPanel(Component):
    name = "editor_dashboard"
    order = 1
    template_name = "cms/admin/editor_dashboard.html"

    def __init__(self, request: HttpRequest):
        self.request = request

    def get_context_data(self, parent_context=None):
        return {"shortcuts": shortcuts(self.request), "attention": attention(self.request)}
