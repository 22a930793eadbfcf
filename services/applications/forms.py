"""The citizen's form, built from the editor's field list; uploads checked by size and content."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.applications.models import (
    ApplicationForm,
    ApplicationFormField,
    DateRule,
    FieldKind,
)

# What an upload may be, recognised by its first bytes (the name and the browser's content type
# are the uploader's claims, the signature is what the file is).
SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


def max_upload_bytes() -> int:
    return settings.APPLICATION_UPLOAD_MAX_BYTES


def check_upload(upload: UploadedFile) -> None:
    """Refuse files that are too big or not a PDF/PNG/JPEG (by name and by content)."""
    limit = max_upload_bytes()
    if upload.size > limit:
        raise forms.ValidationError(
            _("„%(name)s“ ist %(size).1f MB groß; erlaubt sind höchstens %(limit).0f MB.")
            % {"name": upload.name, "size": upload.size / 1_048_576, "limit": limit / 1_048_576}
        )
    suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if suffix not in SIGNATURES:
        raise forms.ValidationError(
            _("„%(name)s“: erlaubt sind PDF-, PNG- und JPEG-Dateien.") % {"name": upload.name}
        )
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(SIGNATURES[suffix]):
        raise forms.ValidationError(
            _("„%(name)s“ ist keine gültige %(kind)s-Datei.")
            % {"name": upload.name, "kind": suffix[1:].upper()}
        )


class UploadField(forms.FileField):
    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            check_upload(value)
        return value


GERMAN_DATE_HINT = _("Format TT.MM.JJJJ, zum Beispiel 24.12.2025")


class GermanDateField(forms.DateField):
    """A date typed as people in Germany write it (24.12.2025), whatever the browser's
    language: a text input with a visible hint instead of type="date" (whose display and
    picker follow the browser's locale). ISO dates (2025-12-24) are accepted too."""

    input_formats = ["%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d"]
    widget = forms.DateInput(format="%d.%m.%Y", attrs={"autocomplete": "off", "size": 10})
    default_error_messages = {
        "invalid": _("Bitte geben Sie das Datum als TT.MM.JJJJ ein, zum Beispiel 24.12.2025."),
    }

    def __init__(self, *, rule: str = "", **kwargs) -> None:
        super().__init__(input_formats=self.input_formats, **kwargs)
        self.rule = rule

    def prepare_value(self, value):
        if isinstance(value, str):  # a draft's stored ISO date
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return value
        return value

    def validate(self, value) -> None:
        super().validate(value)
        if value in self.empty_values or not self.rule:
            return
        today = timezone.localdate()
        if self.rule == DateRule.PAST and value > today:
            raise forms.ValidationError(
                _("Das Datum darf nicht in der Zukunft liegen (spätestens heute, %(today)s).")
                % {"today": today.strftime("%d.%m.%Y")}
            )
        if self.rule == DateRule.FUTURE and value < today:
            raise forms.ValidationError(
                _("Das Datum darf nicht in der Vergangenheit liegen (frühestens heute, %(today)s).")
                % {"today": today.strftime("%d.%m.%Y")}
            )


def _plain(number: Decimal | None) -> str:
    """10.00 → "10", 2.50 → "2,5" (as the limit is said in a message)."""
    if number is None:
        return ""
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _number_field(spec: ApplicationFormField, common: dict) -> forms.DecimalField:
    """A number typed the German way (2,5), within the editor's range, said in words."""
    low, high = spec.min_value, spec.max_value
    if low is not None and high is not None:
        out_of_range = _("Bitte geben Sie eine Zahl von %(low)s bis %(high)s ein.")
    elif low is not None:
        out_of_range = _("Bitte geben Sie eine Zahl ab %(low)s ein.")
    else:
        out_of_range = _("Bitte geben Sie eine Zahl bis %(high)s ein.")
    message = str(out_of_range) % {"low": _plain(low), "high": _plain(high)}
    return forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=low,
        max_value=high,
        localize=True,
        error_messages={
            "invalid": _("Bitte geben Sie eine Zahl ein, zum Beispiel 3 oder 2,5."),
            "min_value": message,
            "max_value": message,
        },
        **common,
    )


def _text_validators(spec: ApplicationFormField) -> list:
    if not spec.pattern:
        return []
    # the whole input must match (not a part of it)
    return [RegexValidator(rf"\A(?:{spec.pattern})\Z", message=spec.pattern_message)]


def _field_for(spec: ApplicationFormField, *, required: bool) -> forms.Field:
    common = {"label": spec.label, "required": required, "help_text": spec.help_text}
    match spec.kind:
        case FieldKind.TEXTAREA:
            return forms.CharField(
                widget=forms.Textarea(attrs={"rows": 5}),
                max_length=5000,
                validators=_text_validators(spec),
                **common,
            )
        case FieldKind.EMAIL:
            return forms.EmailField(**common)
        case FieldKind.DATE:
            hint = f"{spec.help_text} – {GERMAN_DATE_HINT}" if spec.help_text else GERMAN_DATE_HINT
            return GermanDateField(rule=spec.date_rule, **{**common, "help_text": hint})
        case FieldKind.NUMBER:
            return _number_field(spec, common)
        case FieldKind.CHOICE:
            return forms.ChoiceField(
                choices=[("", _("– bitte wählen –"))] + [(c, c) for c in spec.choice_list], **common
            )
        case FieldKind.CHECKBOX:
            return forms.BooleanField(**common)
        case FieldKind.FILE:
            return UploadField(**common)
        case _:
            return forms.CharField(max_length=500, validators=_text_validators(spec), **common)


def build_form(
    definition: ApplicationForm,
    *,
    for_draft: bool,
    uploaded: set[str] = frozenset(),
    data=None,
    files=None,
    initial=None,
) -> forms.Form:
    """A Django form for the editor's fields. A draft needs no required field; a file already
    uploaded with the draft satisfies its required field."""
    form = forms.Form(data=data, files=files, initial=initial)
    for spec in definition.fields.all():
        required = (
            spec.required
            and not for_draft
            and not (spec.kind == FieldKind.FILE and spec.name in uploaded)
        )
        field = _field_for(spec, required=required)
        if field.help_text:  # the hint is read with the field (applications/form.html)
            field.widget.attrs["aria-describedby"] = f"id_{spec.name}-hint"
        form.fields[spec.name] = field
    return form


def to_json(value):
    """Cleaned values as they are stored in `Application.data`."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def stored_values(
    definition: ApplicationForm, cleaned: dict
) -> tuple[dict, dict[str, UploadedFile]]:
    """Split cleaned data into JSON values and new uploads."""
    values, uploads = {}, {}
    for spec in definition.fields.all():
        value = cleaned.get(spec.name)
        if spec.kind == FieldKind.FILE:
            if isinstance(value, UploadedFile):
                uploads[spec.name] = value
            continue
        if value in (None, "") and spec.kind != FieldKind.CHECKBOX:
            continue
        values[spec.name] = to_json(value)
    return values, uploads


class MessageForm(forms.Form):
    message = forms.CharField(
        label="Nachricht", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    attachment = UploadField(label="Datei (optional)", required=False)
