"""German slugs in the Wagtail admin (issue 20, finding 9): "Eheschließung" → "eheschliessung",
"Übach" → "uebach", not "eheschlieung" or "eheschließung".

Two small hooks, no patch of Wagtail:
- in the browser, the slug field's Stimulus controller (`w-slug`) applies regex *formatters*
  before it slugifies or urlifies (Wagtail's `SlugInput(formatters=…)`); ours spell the German
  letters out and the controller keeps slugs ASCII (`allow-unicode` off), as the catalogue's
  `german_slugify` does;
- on the server, Wagtail fills an empty slug from the title with Django's `slugify` while saving
  (`Page._set_core_field_defaults`); a `pre_save` receiver on the page models replaces such an
  automatic slug of a new page with the transliterated one. A slug the editor typed stays
  (anything but exactly the stock slug, so also a number they added), and the German slug
  is shortened to fit 255 characters with its -2, -3… suffix.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.signals import pre_save
from django.utils.text import slugify
from wagtail.admin.forms.models import register_form_field_override
from wagtail.admin.widgets.slug import SlugInput
from wagtail.models import Page, get_page_models

from kreisportal.text import german_slugify

# what the browser does before slugifying, in the order given (capitals first: the controller
# lower-cases afterwards)
GERMAN_FORMATTERS = [
    ("Ä", "Ae"),
    ("Ö", "Oe"),
    ("Ü", "Ue"),
    ("ẞ", "SS"),
    ("ä", "ae"),
    ("ö", "oe"),
    ("ü", "ue"),
    ("ß", "ss"),
]


class GermanSlugInput(SlugInput):
    """Wagtail's slug widget with German transliteration and ASCII slugs."""

    def __init__(self, attrs: dict | None = None, formatters=None, locale=None) -> None:
        super().__init__(
            attrs={"data-w-slug-allow-unicode-value": "false", **(attrs or {})},
            formatters=formatters or GERMAN_FORMATTERS,
            locale=locale,
        )


SLUG_LENGTH = 255  # Page.slug's max_length


def _stock_slug(title: str) -> str:
    """The slug Wagtail derives from a title, in the admin's script and in
    `Page._set_core_field_defaults` alike (before any -2, -3… suffix)."""
    return slugify(title, allow_unicode=getattr(settings, "WAGTAIL_ALLOW_UNICODE_SLUGS", True))


def _automatic(slug: str, title: str) -> bool:
    """Whether `slug` is what Wagtail derived from `title`: exactly the stock slug, no suffix.

    Wagtail's own -2, -3… form cannot be told apart from a number the editor typed
    ("ubersicht-2026" for „Übersicht“), so a suffixed slug always stays as it is. In practice
    Wagtail only adds a suffix when a sibling already has the stock slug itself (an older
    page), since the pages made here get the German spelling instead."""
    stock = _stock_slug(title)
    return bool(stock) and slug == stock


def _with_suffix(base: str, number: int) -> str:
    """`base-number`, `base` shortened so that the whole fits the slug column."""
    if number == 1:
        return base[:SLUG_LENGTH].rstrip("-")
    suffix = f"-{number}"
    return base[: SLUG_LENGTH - len(suffix)].rstrip("-") + suffix


def transliterate_automatic_slug(sender, instance: Page, raw: bool = False, **kwargs) -> None:
    """A new page whose slug Wagtail derived from its title gets the German spelling."""
    if raw or instance.pk is not None or not instance.title:
        return
    german = _with_suffix(german_slugify(instance.title), 1)
    if not german or german == instance.slug or not _automatic(instance.slug, instance.title):
        return
    if german in {slugify(instance.title, allow_unicode=True), slugify(instance.title)}:
        return  # no German letters in the title: Wagtail's slug is right already
    parent = instance.get_parent()
    taken = set(parent.get_children().values_list("slug", flat=True)) if parent else set()
    slug, number = german, 1
    while slug in taken:
        number += 1
        slug = _with_suffix(german, number)
    instance.slug = slug
    if parent is not None:
        instance.set_url_path(parent)  # Page.save computed it from the old slug


def connect() -> None:
    """Called once from the app's ready(): the widget for every slug field of the admin's
    forms, the receiver for every page model."""
    register_form_field_override(models.SlugField, override={"widget": GermanSlugInput})
    for model in get_page_models():
        pre_save.connect(
            transliterate_automatic_slug, sender=model, dispatch_uid=f"german-slug-{model._meta}"
        )
