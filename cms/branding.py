"""Branding per tenant (a Wagtail site setting): logo, colours, font, header variant, rendered
as CSS custom properties. Colour pairs below WCAG AA (4.5:1 for text) are refused."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, Panel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Farbe als #RRGGBB angeben."))
AA_TEXT_CONTRAST = 4.5
WHITE = "#ffffff"

# Self-hosted or installed fonts only: no external font or script hosts (privacy law).
FONT_STACKS = {
    "system-sans": (
        'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif'
    ),
    "humanist": '"Source Sans 3", "Fira Sans", "Noto Sans", "DejaVu Sans", Calibri, sans-serif',
    "serif": '"Noto Serif", "DejaVu Serif", Georgia, "Times New Roman", serif',
    "rounded": '"Nunito", "Varela Round", "Noto Sans", "DejaVu Sans", sans-serif',
}


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of #RRGGBB."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


class BrandingPreviewPanel(Panel):
    """The live preview in the branding form: the portal's header, a link, a button and the
    footer drawn with the colours, font, logo and header variant being edited, updated by a
    small script (cms/static/cms/branding-preview.js) as the editor changes a field. It only
    shows; the contrast rule is enforced by BrandingSettings.clean when the form is saved."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "cms/admin/branding_preview.html"

        class Media:
            js = ["cms/branding-preview.js"]
            css = {"all": ["cms/branding-preview.css"]}

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            branding = self.instance
            logo = getattr(branding, "logo", None)
            context.update(
                portal_name=getattr(getattr(self.request, "tenant", None), "name", "")
                or "Kreisportal",
                fonts_json=json.dumps(FONT_STACKS),
                minimum_contrast=AA_TEXT_CONTRAST,
                logo_url=logo.file.url if logo else "",
                branding=branding,
            )
            return context


@register_setting(icon="view")
class BrandingSettings(BaseSiteSetting):
    class Font(models.TextChoices):
        SYSTEM_SANS = "system-sans", _("Systemschrift (serifenlos)")
        HUMANIST = "humanist", _("Humanistisch (serifenlos)")
        SERIF = "serif", _("Serifenschrift")
        ROUNDED = "rounded", _("Abgerundet")

    class HeaderVariant(models.TextChoices):
        BAR = "bar", _("Leiste")
        CENTERED = "centered", _("Zentriert")
        SPLIT = "split", _("Geteilt")

    logo = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Logo (SVG oder PNG)"),
    )
    primary_colour = models.CharField(
        _("Hauptfarbe (Kopfzeile, weiße Schrift)"),
        max_length=7,
        default="#1d4f91",
        validators=[HEX_COLOUR],
    )
    accent_colour = models.CharField(
        _("Akzentfarbe (Links und Schaltflächen auf Weiß)"),
        max_length=7,
        default="#1d4f91",
        validators=[HEX_COLOUR],
    )
    font = models.CharField(
        _("Schrift"), max_length=20, choices=Font.choices, default=Font.SYSTEM_SANS
    )
    header_variant = models.CharField(
        _("Kopfzeile"), max_length=20, choices=HeaderVariant.choices, default=HeaderVariant.BAR
    )
    footer_text = models.CharField(_("Text in der Fußzeile"), max_length=300, blank=True)

    panels = [
        BrandingPreviewPanel(),
        FieldPanel("logo"),
        MultiFieldPanel(
            [FieldPanel("primary_colour"), FieldPanel("accent_colour")], heading=_("Farben")
        ),
        FieldPanel("font"),
        FieldPanel("header_variant"),
        FieldPanel("footer_text"),
    ]

    class Meta:
        app_label = "cms"
        verbose_name = _("Gestaltung")

    def clean(self):
        super().clean()
        errors = {}
        checks = (
            ("primary_colour", self.primary_colour, _("weiße Schrift auf der Hauptfarbe")),
            ("accent_colour", self.accent_colour, _("die Akzentfarbe auf weißem Grund")),
        )
        for field, colour, what in checks:
            if not HEX_COLOUR.regex.match(colour or ""):
                continue
            ratio = contrast_ratio(colour, WHITE)
            if ratio < AA_TEXT_CONTRAST:
                errors[field] = _(
                    "Zu wenig Kontrast: %(what)s hat %(ratio).2f:1, nötig sind mindestens 4.5:1 "
                    "(WCAG 2.1 AA)."
                ) % {"what": what, "ratio": ratio}
        if errors:
            raise ValidationError(errors)

    @property
    def font_stack(self) -> str:
        return FONT_STACKS.get(self.font, FONT_STACKS["system-sans"])

    @property
    def css(self) -> str:
        """The tenant's look as CSS custom properties, served as a stylesheet
        (`/branding.css`): no inline style, so the strict Content-Security-Policy holds."""
        default = self._meta.get_field("primary_colour").default

        def colour(value: str) -> str:
            return value if HEX_COLOUR.regex.match(value or "") else default

        return (
            f":root{{--color-primary:{colour(self.primary_colour)};"
            f"--color-accent:{colour(self.accent_colour)};--font-body:{self.font_stack};}}\n"
        )

    @property
    def css_version(self) -> str:
        """Changes with the CSS, so the stylesheet's URL can be cached for long."""
        return hashlib.sha256(self.css.encode()).hexdigest()[:12]
