"""Forms of the local catalogue's Wagtail admin: fees entered as people write them ("96,00")
and stored in integer cents."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

_AMOUNT = re.compile(r"^(?P<euros>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<cents>\d{1,2}))?$")
_DOT_DECIMAL = re.compile(r"^(?P<euros>\d+)\.(?P<cents>\d{1,2})$")
MAX_CENTS = 100_000_000  # 1 Mio. €: above that it is a typo, not a local fee


def parse_euro(text: str) -> int | None:
    """ "96,00", "96", "1.234,50", "96,5 €" (and "96.00") → cents; "" → None; else ValueError."""
    text = (text or "").replace("€", "").replace("\u00a0", " ").strip().replace(" ", "")
    if not text:
        return None
    match = _DOT_DECIMAL.match(text) or _AMOUNT.match(text)
    if match is None:
        raise ValueError(text)
    euros = int(match["euros"].replace(".", ""))
    cents = int((match["cents"] or "0").ljust(2, "0"))
    return euros * 100 + cents


def format_euro_input(cents: int | None) -> str:
    """9600 → "96,00" (as the editor typed it, without grouping or sign)."""
    if cents is None:
        return ""
    euros, rest = divmod(int(cents), 100)
    return f"{euros},{rest:02d}"


class EuroField(forms.CharField):
    default_error_messages = {
        "invalid": _("Bitte einen Betrag in Euro eingeben, z. B. 96,00."),
        "too_large": _("Der Betrag ist zu hoch: höchstens 1.000.000,00 €."),
    }

    def prepare_value(self, value):
        return format_euro_input(value) if isinstance(value, int) else value

    def to_python(self, value):
        try:
            cents = parse_euro(super().to_python(value))
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if cents is not None and cents > MAX_CENTS:
            raise forms.ValidationError(self.error_messages["too_large"], code="too_large")
        return cents


class LocalServiceForm(WagtailAdminModelForm):
    fee_cents = EuroField(
        label=_("Gebühr vor Ort (Euro)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "maxlength": 20}),
        help_text=_("Betrag in Euro, z. B. 96,00. Leer lassen, wenn keine Gebühr bekannt ist."),
    )
