"""The tenant's start page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from cms.blocks import ServiceKeyBlock
from cms.chrome import KeptViewRestrictionsMixin, kept, public_q
from cms.news import NewsArticlePage, district_news
from services.models import LifeSituation, Service
from tenants.selectors import district, live_portal_links

# The life situations most citizens look for, shown as tiles on every home page.
CITIZEN_LIFE_SITUATIONS = [
    "Wohnen & Umzug",
    "Geburt",
    "Eheschließung",
    "Kinderbetreuung",
    "Schule",
    "Kfz-Besitz",
    "Führerschein",
    "Tierhaltung",
    "Bauen & Immobilien",
    "Unternehmensstart & Gewerbezulassung",
    "Pflege",
    "Tod",
]


class HomePage(KeptViewRestrictionsMixin, Page):
    """Start page of a tenant's portal (one per site; its root)."""

    intro = models.TextField(_("Einleitung"), blank=True)
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Titelbild"),
    )
    hero_image_alt = models.CharField(
        _("Alternativtext des Titelbilds"), max_length=250, blank=True
    )
    top_services = StreamField(
        [("service", ServiceKeyBlock(label=_("LeiKa-Schlüssel"), max_length=14))],
        blank=True,
        verbose_name=_("Top-Leistungen"),
    )
    show_district_news = models.BooleanField(_("Nachrichten aus dem Kreis zeigen"), default=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("intro"), FieldPanel("hero_image"), FieldPanel("hero_image_alt")],
            heading=_("Titelbereich"),
        ),
        FieldPanel("top_services"),
        FieldPanel("show_district_news"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1
    template = "cms/home_page.html"

    class Meta:
        app_label = "cms"
        verbose_name = _("Startseite")

    def clean(self):
        super().clean()

        if self.hero_image_id and not self.hero_image_alt.strip():
            raise ValidationError({"hero_image_alt": _("Bitte einen Alternativtext angeben.")})

    def get_context(self, request, *args, **kwargs):
        """Everything below changes only with what purges the page cache (publishing here or
        in the district, a catalogue import, tenant changes), so it is kept with the chrome
        (cms.chrome): a home page the page cache does not answer reads none of it again."""
        context = super().get_context(request, *args, **kwargs)
        context["top_services"] = kept(request, f"home-top:{self.pk}", self._top_services)
        context["life_situations"] = kept(
            request,
            "home-life-situations",
            lambda: list(LifeSituation.objects.filter(name__in=CITIZEN_LIFE_SITUATIONS)),
        )
        context["news"] = kept(
            request,
            "home-news",
            lambda: list(
                NewsArticlePage.objects.live().filter(public_q()).order_by("-date", "-pk")[:3]
            ),
        )
        tenant = getattr(request, "tenant", None)
        if self.show_district_news and getattr(tenant, "kind", "") == "municipality":
            context["district_news"] = kept(
                request,
                f"home-district-news:{request.scheme}:{request.get_port()}",
                lambda: self._district_news(request),
            )
        return context

    def _top_services(self) -> list[Service]:
        keys = [block.value for block in self.top_services]
        by_key = {s.leika_key: s for s in Service.objects.filter(leika_key__in=keys)}
        return [by_key[k] for k in keys if k in by_key]

    @staticmethod
    def _district_news(request) -> list:
        items = district_news(limit=3)
        # the district's address from the process's portal list (tenants.selectors: no query)
        tenant = district() if items else None
        links = live_portal_links(scheme=request.scheme, port=request.get_port()) if items else []
        base = next((link.url[:-1] for link in links if tenant and link.slug == tenant.slug), "")
        for item in items:
            item.url = f"{base}{item.path}" if base else ""
        return items
