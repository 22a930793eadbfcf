"""Legal pages every tenant must have: Impressum, Datenschutzerklärung, Erklärung zur
Barrierefreiheit. The admin dashboard warns while one is missing."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class LegalKind(models.TextChoices):
    IMPRESSUM = "impressum", _("Impressum")
    PRIVACY = "datenschutz", _("Datenschutzerklärung")
    ACCESSIBILITY = "barrierefreiheit", _("Erklärung zur Barrierefreiheit")


class LegalPage(Page):
    kind = models.CharField(_("Art"), max_length=20, choices=LegalKind.choices)
    body = RichTextField(_("Text"), features=["h2", "h3", "bold", "italic", "link", "ul", "ol"])
    last_reviewed = models.DateField(_("zuletzt geprüft"), null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("body"),
        FieldPanel("last_reviewed"),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    template = "cms/legal_page.html"

    class Meta:
        app_label = "cms"
        verbose_name = _("Rechtliche Seite")

    def clean(self):
        super().clean()
        duplicate = LegalPage.objects.filter(kind=self.kind).exclude(pk=self.pk)
        if duplicate.exists():
            raise ValidationError({"kind": _("Diese rechtliche Seite gibt es schon.")})


def missing_legal_kinds() -> list[str]:
    """Labels of the legal pages this tenant has not published yet."""
    present = set(LegalPage.objects.live().values_list("kind", flat=True))
    return [label for value, label in LegalKind.choices if value not in present]


def legal_pages() -> list[LegalPage]:
    order = [value for value, _ in LegalKind.choices]
    pages = list(LegalPage.objects.live().public().only("title", "url_path", "kind"))
    return sorted(pages, key=lambda page: order.index(page.kind))
