"""The statement of a legitimate interest (berechtigtes Interesse) for owner data."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

INTEREST_REASONS = [
    ("kauf", _("Kauf- oder Vertragsverhandlungen über das Grundstück")),
    ("nachbar", _("Nachbarschaft (z. B. Grenze, Bebauung, Bewuchs)")),
    ("erbe", _("Erbfall oder Nachlass")),
    ("forderung", _("Forderung gegen den Eigentümer (z. B. Vollstreckung)")),
    ("bau", _("Planung oder Bauvorhaben")),
    ("sonstiges", _("anderer Grund")),
]


# cited by name: the provision's paragraph could not be checked offline (see the closing note)
LEGAL_BASIS = "Vermessungs- und Katastergesetz NRW (VermKatG NRW)"


class InterestForm(forms.Form):
    """Owner data for anyone but the owner: the NRW cadastral law asks for a legitimate
    interest, stated by the citizen and checked by a clerk."""

    grund = forms.ChoiceField(
        label=_("Ihr Anlass"),
        help_text=_(
            "Die Namen der Eigentümer gibt das Katasteramt nur heraus, wenn Sie ein berechtigtes "
            "Interesse darlegen (Vermessungs- und Katastergesetz NRW – VermKatG NRW)."
        ),
        choices=[("", _("– bitte wählen –")), *INTEREST_REASONS],
        error_messages={"required": _("Bitte wählen Sie Ihren Anlass.")},
    )
    begruendung = forms.CharField(
        label=_("Begründung"),
        help_text=_(
            "Beschreiben Sie, wofür Sie die Namen der Eigentümer brauchen, z. B. „Ich möchte das "
            "Grundstück kaufen und den Eigentümer anschreiben.“"
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        min_length=20,
        max_length=2000,
        error_messages={
            "required": _("Bitte begründen Sie Ihr Interesse."),
            "min_length": _(
                "Bitte begründen Sie Ihr Interesse in ein, zwei Sätzen (mindestens 20 Zeichen)."
            ),
        },
    )

    def reason_label(self) -> str:
        return str(dict(INTEREST_REASONS)[self.cleaned_data["grund"]])
