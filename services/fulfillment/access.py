"""Who may see a cadastral order: the citizen who placed it."""

from __future__ import annotations

from django.http import Http404

from kreisportal.http import parse_uuid
from services.accounts.models import Citizen
from services.fulfillment.models import CadastralOrder


def access_cadastral_order(citizen: Citizen | None, order_id: str) -> CadastralOrder:
    """The citizen's own order; another citizen's, a bad id or no sign-in is 404. Database
    errors are not caught (503, not a missing order)."""
    pk = parse_uuid(order_id)
    placed = (
        CadastralOrder.objects.select_related(
            "parcel__gemarkung", "application__payment", "application__form"
        )
        .filter(pk=pk, application__citizen=citizen)
        .first()
        if pk and citizen is not None
        else None
    )
    if placed is None:
        raise Http404("Bestellung nicht gefunden")
    return placed
