"""The citizen's form, built from the editor's field list; uploads checked by size and content."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from services.applications.models import ApplicationForm, ApplicationFormField, FieldKind

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
            f"„{upload.name}“ ist {upload.size / 1_048_576:.1f} MB groß; erlaubt sind höchstens "
            f"{limit / 1_048_576:.0f} MB."
        )
    suffix = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if suffix not in SIGNATURES:
        raise forms.ValidationError(f"„{upload.name}“: erlaubt sind PDF-, PNG- und JPEG-Dateien.")
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(SIGNATURES[suffix]):
        raise forms.ValidationError(
            f"„{upload.name}“ ist keine gültige {suffix[1:].upper()}-Datei."
        )


class UploadField(forms.FileField):
    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            check_upload(value)
        return value


def _field_for(spec: ApplicationFormField, *, required: bool) -> forms.Field:
    common = {"label": spec.label, "required": required, "help_text": spec.help_text}
    match spec.kind:
        case FieldKind.TEXTAREA:
            return forms.CharField(
                widget=forms.Textarea(attrs={"rows": 5}), max_length=5000, **common
            )
        case FieldKind.EMAIL:
            return forms.EmailField(**common)
        case FieldKind.DATE:
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        case FieldKind.NUMBER:
            return forms.DecimalField(max_digits=12, decimal_places=2, **common)
        case FieldKind.CHOICE:
            return forms.ChoiceField(
                choices=[("", "– bitte wählen –")] + [(c, c) for c in spec.choice_list], **common
            )
        case FieldKind.CHECKBOX:
            return forms.BooleanField(**common)
        case FieldKind.FILE:
            return UploadField(**common)
        case _:
            return forms.CharField(max_length=500, **common)


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
        form.fields[spec.name] = _field_for(spec, required=required)
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
