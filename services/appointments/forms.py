from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class BookingForm(forms.Form):
    name = forms.CharField(
        label=_("Vor- und Nachname"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        help_text=_("An diese Adresse schicken wir den Link, mit dem Sie den Termin bestätigen."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Telefon (freiwillig)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Bitte geben Sie Ihren Namen an."))
        return name


class BlockForm(forms.Form):
    counter = forms.TypedChoiceField(label=_("Schalter"), coerce=int, empty_value=None)
    day = forms.DateField(label=_("Tag"), widget=forms.DateInput(attrs={"type": "date"}))
    starts = forms.TimeField(label=_("von"), widget=forms.TimeInput(attrs={"type": "time"}))
    ends = forms.TimeField(label=_("bis"), widget=forms.TimeInput(attrs={"type": "time"}))
    reason = forms.CharField(label=_("Grund"), max_length=200, required=False)

    def __init__(self, *args, counters: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counter"].choices = [("", _("alle Schalter"))] + [
            (str(n), str(n)) for n in range(1, counters + 1)
        ]
        self.fields["counter"].required = False

    def clean(self):
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["starts"] >= data["ends"]:
            raise forms.ValidationError(_("Das Ende muss nach dem Beginn liegen."))
        return data
