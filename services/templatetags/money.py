from django import template

from payments.amounts import euro as format_euro

register = template.Library()


@register.filter
def euro(cents: int | None) -> str:
    """4600 → "46,00 €" (amounts are integer cents everywhere; payments.amounts)."""
    return format_euro(cents)
