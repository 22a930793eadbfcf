"""Language marks for content that exists in one language only (WCAG 3.1.2).

The citizen's UI switches to English or Dutch, but catalogue texts, Wagtail pages and news are
written in German. `<p{% content_lang %}>…` gives ` lang="de"` on such a block when the UI speaks
another language, so screen readers switch voice; nothing when the UI is German. Content in
another language names it: `{% content_lang "en" %}`.
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()


def differs_from_ui(content_language: str) -> bool:
    """True when `content_language` is not the language the page is shown in."""
    ui = (get_language() or "de").split("-")[0]
    return content_language.split("-")[0] != ui


@register.simple_tag
def content_lang(content_language: str = "de") -> SafeString:
    """` lang="…"` for an element whose text is in `content_language`, if the UI differs."""
    if not content_language or not differs_from_ui(content_language):
        return SafeString("")
    return format_html(' lang="{}"', content_language)
