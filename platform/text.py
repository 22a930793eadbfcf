"""Text helpers shared by every app."""

from __future__ import annotations

from django.utils.text import slugify

# German letters that have a customary ASCII spelling; Django's slugify would drop "ß" and
# reduce "ä" to "a" ("Eheschließung" → "eheschlieung", "Bürger" → "burger").
_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ẞ": "SS"}
)


def german_slugify(value: str) -> str:
    """A URL slug that keeps German words readable: "Eheschließung" → "eheschliessung",
    "Übach-Palenberg" → "uebach-palenberg"; other accents as Django's slugify has them."""
    return slugify(str(value).translate(_TRANSLITERATION))
