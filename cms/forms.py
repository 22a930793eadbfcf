"""The feedback form of the accessibility statement ("Barriere melden")."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cms.accessibility import BarrierReport

MIN_DESCRIPTION = 10


class BarrierReportForm(forms.ModelForm):
    class Meta:
        model = BarrierReport
        fields = ["page_url", "description", "name", "email"]
        labels = {
            "page_url": _("Auf welcher Seite? (Adresse oder Titel, freiwillig)"),
            "description": _("Was ist das Problem?"),
            "name": _("Ihr Name (freiwillig)"),
            "email": _("Ihre E-Mail-Adresse für die Antwort (freiwillig)"),
        }
        help_texts = {
            "description": _(
                "Beschreiben Sie, was nicht funktioniert hat und welche Hilfsmittel Sie nutzen, "
                "zum Beispiel einen Screenreader. Sie können auch Inhalte in einer anderen Form "
                "anfordern."
            ),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}
        error_messages = {
            "description": {
                "required": _("Bitte beschreiben Sie die Barriere."),
                "max_length": _("Bitte fassen Sie sich kürzer (höchstens 5.000 Zeichen)."),
            },
            "email": {"invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse ein.")},
            "page_url": {"max_length": _("Die Seitenangabe ist zu lang.")},
        }

    def clean_description(self) -> str:
        text = self.cleaned_data["description"].strip()
        if len(text) < MIN_DESCRIPTION:
            raise forms.ValidationError(
                _("Bitte beschreiben Sie die Barriere in mindestens %(n)d Zeichen."),
                params={"n": MIN_DESCRIPTION},
            )
        return text
