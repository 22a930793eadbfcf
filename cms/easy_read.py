"""Leichte Sprache and Deutsche Gebärdensprache (DGS) pages, as § 4 BITV 2.0 asks of every
portal: explanations of the main content, the navigation, the essentials of the accessibility
statement and where more such content is. Each part is required (the stream's block counts),
so an editor cannot publish a page that leaves one out. Both pages are linked from the header of
every page (cms.context_processors)."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.blocks import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import StreamField
from wagtail.models import Page

from cms.chrome import KeptViewRestrictionsMixin

# The four parts § 4 BITV 2.0 names, in the order they are shown.
PARTS = [
    ("content", _("Was es auf dieser Internet-Seite gibt")),
    ("navigation", _("So finden Sie sich zurecht")),
    ("accessibility", _("Das Wichtigste zur Barriere·freiheit")),
    ("more", _("Hier finden Sie mehr Informationen")),
]
REQUIRED_ONCE = {name: {"min_num": 1, "max_num": 1} for name, _label in PARTS}

VIDEO_EXTENSIONS = {".webm": "video/webm", ".mp4": "video/mp4"}
CAPTION_EXTENSIONS = {".vtt"}


class EasyReadPartBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Überschrift"), max_length=120)
    text = blocks.RichTextBlock(
        label=_("Text in Leichter Sprache"),
        features=["bold", "link", "ul"],
        help_text=_("Kurze Sätze. Eine Aussage pro Satz. Schwere Wörter erklären."),
    )

    class Meta:
        icon = "doc-full"
        template = "cms/blocks/easy_read_part.html"


class EasyReadBody(blocks.StreamBlock):
    content = EasyReadPartBlock(label=_("Inhalt der Seite"))
    navigation = EasyReadPartBlock(label=_("Navigation"))
    accessibility = EasyReadPartBlock(label=_("Erklärung zur Barrierefreiheit"))
    more = EasyReadPartBlock(label=_("Weitere Informationen"))

    class Meta:
        block_counts = REQUIRED_ONCE


def _extension(document) -> str:
    return PurePosixPath(getattr(document, "filename", "") or "").suffix.lower()


class SignLanguageVideoBlock(blocks.StructBlock):
    """A self-hosted video with German captions (WebVTT) and a text alternative."""

    heading = blocks.CharBlock(label=_("Überschrift"), max_length=120)
    video = DocumentChooserBlock(
        label=_("Video"), help_text=_("WebM- oder MP4-Datei aus der Dokumentenverwaltung.")
    )
    captions = DocumentChooserBlock(
        label=_("Untertitel"), help_text=_("WebVTT-Datei (.vtt) mit deutschen Untertiteln.")
    )
    transcript = blocks.RichTextBlock(
        label=_("Textalternative"),
        features=["bold", "link", "ul"],
        help_text=_("Was im Video gesagt wird, als Text."),
    )
    is_demo = blocks.BooleanBlock(
        label=_("Demo-Video (noch kein Video in Gebärdensprache)"), required=False
    )

    class Meta:
        icon = "media"
        template = "cms/blocks/sign_language_video.html"

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        if value.get("video") and _extension(value["video"]) not in VIDEO_EXTENSIONS:
            errors["video"] = ValidationError(_("Bitte eine WebM- oder MP4-Datei wählen."))
        if value.get("captions") and _extension(value["captions"]) not in CAPTION_EXTENSIONS:
            errors["captions"] = ValidationError(_("Bitte eine WebVTT-Datei (.vtt) wählen."))
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value


class SignLanguageBody(blocks.StreamBlock):
    content = SignLanguageVideoBlock(label=_("Inhalt der Seite"))
    navigation = SignLanguageVideoBlock(label=_("Navigation"))
    accessibility = SignLanguageVideoBlock(label=_("Erklärung zur Barrierefreiheit"))
    more = SignLanguageVideoBlock(label=_("Weitere Informationen"))

    class Meta:
        block_counts = REQUIRED_ONCE


class EasyReadPage(KeptViewRestrictionsMixin, Page):
    """Leichte Sprache: one per portal, below the start page."""

    intro = models.TextField(_("Einleitung"))
    body = StreamField(EasyReadBody(), verbose_name=_("Teile"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1
    template = "cms/easy_read_page.html"

    class Meta:
        app_label = "cms"
        verbose_name = _("Leichte Sprache")


class SignLanguagePage(KeptViewRestrictionsMixin, Page):
    """Deutsche Gebärdensprache: one per portal, below the start page."""

    intro = models.TextField(_("Einleitung"))
    body = StreamField(SignLanguageBody(), verbose_name=_("Videos"))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1
    template = "cms/sign_language_page.html"

    class Meta:
        app_label = "cms"
        verbose_name = _("Gebärdensprache")

    @property
    def has_demo_videos(self) -> bool:
        return any(block.value.get("is_demo") for block in self.body)


def video_type(document) -> str:
    return VIDEO_EXTENSIONS.get(_extension(document), "")
