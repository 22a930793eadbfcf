from django import template

register = template.Library()


@register.filter
def euro(cents: int | None) -> str:
    """4600 → "46,00 €" (amounts are integer cents everywhere)."""
    if cents is None:
        return ""
    euros, rest = divmod(int(cents), 100)
    return f"{euros:,}".replace(",", ".") + f",{rest:02d} €"
