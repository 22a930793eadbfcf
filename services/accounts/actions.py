"""Writes on citizen accounts (tenant schema)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from payments.models import Payment
from services.accounts.hooks import kept_records_count, personal_data_export
from services.accounts.models import Citizen

IDENTITY_FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "street",
    "postal_code",
    "locality",
    "email",
    "mailbox_handle",  # BundID mailbox handle: the ZBP channel's delivery address
)


@transaction.atomic
def do_sign_in_citizen(*, identity: dict) -> Citizen:
    """This tenant's record of the citizen: created on first visit, updated from the IdP."""
    citizen = Citizen.objects.select_related("user").filter(pseudonym=identity["pseudonym"]).first()
    if citizen is None:
        user = get_user_model().objects.create_user(
            username=f"citizen-{Citizen.objects.count() + 1}-{identity['pseudonym'][-8:]}"[:150]
        )
        user.set_unusable_password()
        user.save()
        citizen = Citizen(user=user, pseudonym=identity["pseudonym"])
    for field in IDENTITY_FIELDS:
        setattr(citizen, field, identity.get(field, "") or "")
    citizen.trust_level = identity.get("level", "")
    citizen.last_login = timezone.now()
    citizen.save()
    return citizen


class AccountKept(Exception):
    """The account holds records the authority must keep (applications, orders)."""


@transaction.atomic
def do_delete_account(*, citizen: Citizen) -> None:
    """GDPR Art. 17 in this tenant: the account, its personal data and postbox go — unless
    applications or orders exist, which the authority has to keep (Art. 17(3)(b))."""
    user = citizen.user
    try:
        with transaction.atomic():
            citizen.delete()
    except ProtectedError as exc:
        raise AccountKept(
            gettext(
                "Ihr Konto kann hier nicht gelöscht werden, weil dazu Unterlagen gehören, die die "
                "Behörde aufbewahren muss (%(records)s). Sie werden nach Ablauf der gesetzlichen "
                "Aufbewahrungsfristen gelöscht; bis dahin können Sie sie unter „Meine Daten "
                "herunterladen“ einsehen. Bitte wenden Sie sich an die Verwaltung."
            )
            % {"records": kept_records(citizen)}
        ) from exc
    user.delete()


def kept_records(citizen: Citizen) -> str:
    """What the authority keeps about the citizen, in words: "2 Anträge, 1 Bestellung"."""
    counts: list[tuple[int, str, str]] = []
    kept_records_count.send(citizen=citizen, counts=counts)
    counts.append(
        (
            Payment.objects.filter(payer=citizen).count(),
            gettext_noop("Zahlungsbeleg"),
            gettext_noop("Zahlungsbelege"),
        )
    )
    # the nouns are marked where they are defined and translated here, in the citizen's language
    return ", ".join(f"{n} {gettext(one if n == 1 else many)}" for n, one, many in counts if n)


def export_data(citizen: Citizen) -> dict:
    """GDPR Art. 15: everything this tenant holds about the citizen (the apps holding cases
    about the citizen add their sections through `personal_data_export`)."""
    export = {
        "personal_data": {
            field: getattr(citizen, field) for field in ("pseudonym", *IDENTITY_FIELDS)
        },
        "trust_level": citizen.trust_level,
        "account_created": citizen.created.isoformat(),
        "payments": [
            {
                "purpose": p.purpose,
                "amount_cents": p.amount_cents,
                "currency": p.currency,
                "status": p.status,
                "provider": p.provider,
                "method": p.method,
                "created": p.created.isoformat(),
                "paid": p.paid_at.isoformat() if p.paid_at else None,
            }
            for p in Payment.objects.filter(payer=citizen).order_by("created")
        ],
    }
    personal_data_export.send(citizen=citizen, export=export)
    return export
