"""One way to render a citizen's form field (WCAG 1.3.1, 3.3.1, 4.1.2; GOV.UK's pattern).

`{% include "kreisportal/_field.html" %}` inside `{% for field in form %}` shows the label, the
hint, the error and the widget; `{% field_widget field %}` renders the widget so that a screen
reader hears the hint and the error with the field: `aria-describedby` names the hint
(`<id>-hint`), any further hint (`<id>-filehint`) and the error (`<id>-error`), and a field with
an error is `aria-invalid="true"`. Django's own `aria-describedby` (BoundField.aria_describedby,
ids `<id>_helptext`/`<id>_error`) gives way whenever a form set one on the widget, and then the
error was left out: here the attribute is always computed, whatever the form set.
"""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()

FILE_WIDGETS = {"clearablefile", "file"}


def described_by(field: BoundField, *, file_hint: bool = False) -> list[str]:
    """The ids of the texts that describe `field`: hint, file hint, error (in reading order)."""
    if not field.auto_id:
        return []
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if file_hint and field.widget_type in FILE_WIDGETS:
        ids.append(f"{field.auto_id}-filehint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return ids


@register.simple_tag
def field_widget(field: BoundField, file_hint: bool = False) -> SafeString:
    """The widget of `field` with aria-describedby (hint and error) and aria-invalid on error.

    `file_hint`: the template shows a paragraph `<id>-filehint` under file inputs (accepted
    types and size), which the input names too.
    """
    attrs: dict[str, str] = {}
    ids = described_by(field, file_hint=file_hint)
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
