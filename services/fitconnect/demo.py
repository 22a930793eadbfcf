"""Demo of FIT-Connect (clearly marked): every municipality delivers to its Sandbox-Fachverfahren
and sends status and messages to the sandbox ZBP; one online form per municipality is handled
by FIT-Connect delivery ("Sondernutzung beantragen", on a street-use service the municipality
offers). Idempotent: forms and settings editors changed are left as they are."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_tenants.utils import tenant_context

from services.applications.models import (
    ApplicationEvent,
    ApplicationForm,
    ApplicationFormField,
    FieldKind,
)
from services.fitconnect.models import Environment, FitConnectSettings, ZbpCursor
from services.local.models import LocalService
from tenants.models import Tenant

# the catalogue's names of a service a municipality's back office works in a specialist system
SERVICE_NAMES = ("Sondernutzung", "Veranstaltung", "Halteverbot")
FIELDS = [
    ("Ort der Nutzung (Straße, Hausnummer)", FieldKind.TEXT, True, ""),
    ("Art der Nutzung", FieldKind.CHOICE, True, "", "Baugerüst\nContainer\nInfostand\nSonstiges"),
    ("Beginn", FieldKind.DATE, True, ""),
    ("Ende", FieldKind.DATE, True, ""),
    ("Lageplan oder Skizze", FieldKind.FILE, False, "PDF oder Bild"),
]


def _service() -> LocalService | None:
    for name in SERVICE_NAMES:
        local = (
            LocalService.objects.filter(offered=True, service__name__icontains=name)
            .filter(application_form__isnull=True)
            .select_related("service")
            .order_by("service__leika_key")
            .first()
        )
        if local is not None:
            return local
    return None


@transaction.atomic
def seed_tenant(tenant: Tenant) -> int:
    config = FitConnectSettings.load()
    if config.environment == Environment.OFF and config.zbp_environment == Environment.OFF:
        config.environment = Environment.SANDBOX
        config.zbp_environment = Environment.SANDBOX
        config.save()
    if config.zbp_environment != Environment.OFF:
        # the ZBP is read from now on (what happened before it was switched on is not sent)
        ZbpCursor.objects.get_or_create(
            defaults={
                "last_event_id": ApplicationEvent.objects.aggregate(m=Max("pk"))["m"] or 0,
                "messages_after": timezone.now(),
            }
        )
    if ApplicationForm.objects.filter(handling="fitconnect").exists():
        return 0
    local = _service()
    if local is None:
        return 0
    form = ApplicationForm.objects.create(
        local_service=local,
        title=f"{local.service.name} (über FIT-Connect)"[:200],
        slug=f"fitconnect-{local.service.leika_key}"[:80],
        intro=(
            "Demo: Ihr Antrag wird über FIT-Connect verschlüsselt an das Fachverfahren der "
            "zuständigen Stelle übermittelt – hier an das Sandbox-Fachverfahren des Portals."
        ),
        fee_cents=0,
        min_trust_level="basic",
        handling="fitconnect",
    )
    for order, (label, kind, required, help_text, *choices) in enumerate(FIELDS):
        field = ApplicationFormField(
            form=form,
            sort_order=order,
            label=label,
            kind=kind,
            required=required,
            help_text=help_text,
            choices=choices[0] if choices else "",
        )
        field.clean()
        field.save()
    return 1


def seed_fitconnect_demo() -> str:
    created = 0
    for tenant in Tenant.objects.portals():
        if tenant.kind == Tenant.Kind.DISTRICT:
            continue
        with tenant_context(tenant):
            created += seed_tenant(tenant)
    return f"FIT-Connect: {created} demo forms delivered to the Sandbox-Fachverfahren"
