"""Amounts as people read them: integer cents → "1.234,50 €" (German grouping and comma),
the one formatting used by templates (the `euro` filter), messages and audit entries."""

from __future__ import annotations


def euro(cents: int | None) -> str:
    """4600 → "46,00 €"; None → "" (no amount known)."""
    if cents is None:
        return ""
    sign = "-" if int(cents) < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    return sign + f"{euros:,}".replace(",", ".") + f",{rest:02d} €"
