"""StreamField blocks shared by content pages and news articles."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from services.models import Service


class ImageWithCaptionBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Bild"))
    alt_text = blocks.CharBlock(
        label=_("Alternativtext"),
        max_length=250,
        help_text=_("Beschreibt das Bild für Menschen, die es nicht sehen (Pflicht)."),
    )
    caption = blocks.CharBlock(label=_("Bildunterschrift"), required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "cms/blocks/image.html"


class AccordionItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Frage / Überschrift"), max_length=200)
    answer = blocks.RichTextBlock(
        label=_("Antwort"), features=["bold", "italic", "link", "ul", "ol"]
    )


class ServiceKeyBlock(blocks.CharBlock):
    """A catalogue service, named by its 14-digit LeiKa key (checked against the catalogue)."""

    def clean(self, value):
        value = super().clean(value).strip()

        if not Service.objects.filter(leika_key=value).exists():
            raise ValidationError(
                _("Keine Leistung mit dem LeiKa-Schlüssel %(key)s."), params={"key": value}
            )
        return value


class ServiceListBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Überschrift"), required=False, max_length=120)
    services = blocks.ListBlock(ServiceKeyBlock(label=_("LeiKa-Schlüssel"), max_length=14))

    class Meta:
        icon = "list-ul"
        template = "cms/blocks/service_list.html"


class ContactBlock(blocks.StructBlock):
    office = SnippetChooserBlock("services_local.Office", label=_("Dienststelle"))

    class Meta:
        icon = "user"
        template = "cms/blocks/contact.html"


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("Zwischenüberschrift"), max_length=120, template="cms/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(
        label=_("Text"), features=["h3", "bold", "italic", "link", "ul", "ol", "document-link"]
    )
    image = ImageWithCaptionBlock(label=_("Bild"))
    accordion = blocks.ListBlock(
        AccordionItemBlock(),
        label=_("Aufklappbare Fragen (FAQ)"),
        template="cms/blocks/accordion.html",
    )
    contact = ContactBlock(label=_("Kontakt"))
    services = ServiceListBlock(label=_("Leistungen aus dem Katalog"))
