"""Factories of the suite: small functions that make a valid record through the real actions
(so a test starts from what the portal itself would have written). Call them inside
`in_tenant(...)`; they write in the current tenant's schema."""

from __future__ import annotations

from services.accounts.actions import do_sign_in_citizen
from services.accounts.models import Citizen
from services.applications.actions import do_save_draft
from services.applications.models import Application, ApplicationForm
from services.fulfillment.actions import do_place_cadastral_order
from services.fulfillment.models import CadastralOrder, Parcel

PARKING_PERMIT = {"amtliches_kennzeichen": "HS-KP 1", "parkzone": "Zone A – Innenstadt"}


def citizen(pseudonym: str, *, level: str = "high", **identity: str) -> Citizen:
    """The tenant's record of a citizen who signed in (as the login callback makes it)."""
    return do_sign_in_citizen(identity={"pseudonym": pseudonym, "level": level, **identity})


def draft(owner: Citizen, *, form: str = "bewohnerparkausweis", values=None) -> Application:
    """The citizen's saved draft of a municipal demo form (default: the parking permit)."""
    definition = ApplicationForm.objects.get(slug=form)
    return do_save_draft(
        form=definition, citizen=owner, values=dict(values or PARKING_PERMIT), uploads={}
    )


def cadastral_order(
    owner: Citizen, *, product: str = "liegenschaftskarte", parcel: Parcel | None = None
) -> CadastralOrder:
    """An order of the district's Liegenschaftsauskunft, awaiting its fee (call on "kreis")."""
    return do_place_cadastral_order(
        citizen=owner,
        parcel=parcel or Parcel.objects.select_related("gemarkung").first(),
        product=product,
        trust_level="high",
    )
