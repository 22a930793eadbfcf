"""Demo online applications (written for this project; fees marked as demo values) and one demo
staff account per role in every portal, so the inbox and the form editor can be tried at once.
Idempotent: existing forms and users are left as editors changed them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django_tenants.utils import tenant_context

from services.applications.models import ApplicationForm, ApplicationFormField, FieldKind
from services.local.models import LocalService
from tenants.models import Tenant

DEMO_STAFF_PASSWORD = "kreisportal-demo"
DEMO_STAFF = {"demo-redaktion": "Moderators", "demo-sachbearbeitung": "Sachbearbeitung"}

F = FieldKind
MUNICIPAL_FORMS = [
    {
        "leika_key": "99102013000000",
        "title": "Hund anmelden (Hundesteuer)",
        "slug": "hund-anmelden",
        "intro": "Melden Sie Ihren Hund zur Hundesteuer an. Die Anmeldebestätigung kommt sofort "
        "in Ihr Postfach; den Steuerbescheid erhalten Sie gesondert.",
        "fee_cents": 0,
        "min_trust_level": "basic",
        "handling": "bestaetigung",
        "fields": [
            ("Rasse oder Mischung", F.TEXT, True, ""),
            ("Wurfdatum des Hundes", F.DATE, True, ""),
            ("Hund gehalten seit", F.DATE, True, ""),
            ("Chipnummer", F.TEXT, False, "15 Ziffern, falls vorhanden"),
            ("Es werden weitere Hunde im Haushalt gehalten", F.CHECKBOX, False, ""),
        ],
        "rules": {
            "Chipnummer": {
                "pattern": r"\d{15}",
                "pattern_message": "Die Chipnummer hat genau 15 Ziffern, ohne Buchstaben und "
                "Leerzeichen.",
            },
            "Wurfdatum des Hundes": {"date_rule": "past"},
            "Hund gehalten seit": {"date_rule": "past"},
        },
    },
    {
        "leika_key": "99108001001000",
        "title": "Bewohnerparkausweis beantragen",
        "slug": "bewohnerparkausweis",
        "intro": "Für Bewohnerinnen und Bewohner einer Parkzone mit Bewohnerparken.",
        "fee_cents": 3070,
        "min_trust_level": "substantial",
        "handling": "clerk",
        "fields": [
            ("Amtliches Kennzeichen", F.TEXT, True, "z. B. HS-AB 123"),
            ("Parkzone", F.CHOICE, True, "", "Zone A – Innenstadt\nZone B – Bahnhof"),
            ("Zulassungsbescheinigung Teil I", F.FILE, True, "Scan oder Foto"),
        ],
    },
    {
        "leika_key": "99050012104000",
        "title": "Gewerbe anmelden",
        "slug": "gewerbe-anmelden",
        "intro": "Anzeige nach § 14 Gewerbeordnung.",
        "fee_cents": 2600,
        "min_trust_level": "substantial",
        "handling": "clerk",
        "fields": [
            ("Angemeldete Tätigkeit", F.TEXTAREA, True, ""),
            ("Beginn der Tätigkeit", F.DATE, True, ""),
            ("Anschrift der Betriebsstätte", F.TEXT, True, ""),
            ("Zahl der Beschäftigten", F.NUMBER, False, ""),
            ("Erlaubnis oder Nachweis", F.FILE, False, "nur bei erlaubnispflichtigen Gewerben"),
        ],
        "rules": {
            "Beginn der Tätigkeit": {"date_rule": "future"},
            "Zahl der Beschäftigten": {"min_value": 0, "max_value": 100000},
        },
    },
]
DISTRICT_FORMS = [
    {
        "leika_key": "99067004001000",
        "title": "Jagdschein beantragen",
        "slug": "jagdschein",
        "intro": "Erteilung eines Jagdscheins durch die untere Jagdbehörde des Kreises.",
        "fee_cents": 5000,
        "min_trust_level": "substantial",
        "handling": "clerk",
        "fields": [
            ("Geltungsdauer", F.CHOICE, True, "", "1 Jahr\n2 Jahre\n3 Jahre"),
            ("Nachweis der Jagdhaftpflichtversicherung", F.FILE, True, ""),
        ],
    },
]


@transaction.atomic
def seed_tenant_forms(tenant: Tenant) -> int:
    """The demo forms whose service this tenant offers; returns how many were created."""
    created = 0
    specs = DISTRICT_FORMS if tenant.kind == Tenant.Kind.DISTRICT else MUNICIPAL_FORMS
    for spec in specs:
        local = LocalService.objects.filter(
            service__leika_key=spec["leika_key"], offered=True
        ).first()
        if local is None or ApplicationForm.objects.filter(local_service=local).exists():
            continue
        form = ApplicationForm.objects.create(
            local_service=local,
            **{
                k: spec[k]
                for k in ("title", "slug", "intro", "fee_cents", "min_trust_level", "handling")
            },
        )
        for order, (label, kind, required, help_text, *choices) in enumerate(spec["fields"]):
            field = ApplicationFormField(
                form=form,
                sort_order=order,
                label=label,
                kind=kind,
                required=required,
                help_text=help_text,
                choices=choices[0] if choices else "",
                **spec.get("rules", {}).get(label, {}),
            )
            field.clean()
            field.save()
        created += 1
    return created


def ensure_demo_staff() -> None:
    """Demo users "demo-redaktion" (editor + publisher) and "demo-sachbearbeitung" (staff inbox)."""
    users = get_user_model()
    for username, group_name in DEMO_STAFF.items():
        user, was_created = users.objects.get_or_create(
            username=username, defaults={"email": f"{username}@demo.invalid"}
        )
        if was_created:
            user.set_password(DEMO_STAFF_PASSWORD)
            user.save()
        group = Group.objects.filter(name=group_name).first()
        if group is not None:
            user.groups.add(group)


def seed_demo_applications() -> str:
    created = 0
    for tenant in Tenant.objects.portals():
        with tenant_context(tenant):
            created += seed_tenant_forms(tenant)
            ensure_demo_staff()
    return f"online applications: {created} demo forms created"
