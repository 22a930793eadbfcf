"""`{% csp_nonce_attr %}`: the nonce attribute for the few inline scripts of Wagtail's admin
(rendered by form widgets, which have no request in their template context)."""

from django import template
from django.utils.html import format_html

from kreisportal.csp import current_nonce

register = template.Library()


@register.simple_tag
def csp_nonce_attr() -> str:
    nonce = current_nonce()
    return format_html(' nonce="{}"', nonce) if nonce else ""
