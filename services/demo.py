"""Demo data of the local extension: offices (clearly marked as demo data), each tenant's offer
decided by the responsibility rule (services/responsibility.py), fees for the top services, and
the read model. Idempotent: only missing rows are created; editors' changes are never overwritten.
"""

from __future__ import annotations

import re

from django.db import transaction
from django_tenants.utils import tenant_context

from services.appointments.demo import seed_demo_appointments
from services.finder import sync_offers
from services.local.models import LocalService, Office, OnlineLevel, Responsibility
from services.models import Level, Service
from services.online import INTERNAL_SERVICES
from services.responsibility import district_offers, level_for_tenant
from tenants.models import Tenant

_WEEKDAY_HOURS = [{"weekday": d, "opens": "08:00", "closes": "12:30"} for d in range(5)] + [
    {"weekday": 1, "opens": "14:00", "closes": "18:00"},
    {"weekday": 3, "opens": "14:00", "closes": "16:00"},
]

# (office name, patterns of service names it handles); the first matching office wins,
# the last one (no patterns) takes everything else.
MUNICIPAL_OFFICES = [
    (
        "Bürgerbüro",
        [
            r"personalausweis",
            r"reisepass",
            r"wohnsitz",
            r"melde",
            r"führungszeugnis",
            r"beglaubigung",
            r"fundsache",
            r"wahl",
            r"lebensbescheinigung",
        ],
    ),
    (
        "Standesamt",
        [r"geburt", r"ehe", r"sterbe", r"lebenspartnerschaft", r"vaterschaft", r"namens"],
    ),
    ("Steueramt", [r"steuer", r"abgabe", r"gebühr", r"beitrag"]),
    (
        "Ordnungsamt",
        [
            r"gewerbe",
            r"sondernutzung",
            r"park",
            r"halteverbot",
            r"hund",
            r"veranstalt",
            r"gaststätte",
            r"lärm",
            r"markt",
        ],
    ),
    ("Amt für Planung und Bauen", [r"bau", r"baum", r"grundstück", r"straße", r"kanal"]),
    (
        "Amt für Soziales und Wohnen",
        [r"wohngeld", r"sozial", r"grundsicherung", r"kindertages", r"asyl", r"rente"],
    ),
    ("Rathaus – Zentrale Information", []),
]
DISTRICT_OFFICES = [
    ("Straßenverkehrsamt – Zulassungsstelle", [r"kraftfahrzeug", r"fahrzeug", r"kennzeichen"]),
    ("Straßenverkehrsamt – Führerscheinstelle", [r"fahrerlaubnis", r"führerschein", r"fahrlehrer"]),
    ("Katasteramt", [r"liegenschaft", r"kataster", r"vermessung", r"flurstück"]),
    ("Bauaufsicht", [r"bau", r"abbruch"]),
    (
        "Gesundheitsamt",
        [
            r"gesundheit",
            r"infektion",
            r"trinkwasser",
            r"impf",
            r"heilpraktiker",
            r"amtsärztlich",
            r"belehrung",
        ],
    ),
    ("Ausländerbehörde", [r"aufenthalt", r"einbürgerung", r"visum", r"ausländer"]),
    ("Veterinär- und Lebensmittelüberwachungsamt", [r"lebensmittel", r"tier", r"veterinär"]),
    ("Kreishaus – Zentrale Information", []),
]

# local fees (cents) the demo sets where the municipality fixes them in its own statute
DEMO_LOCAL_FEES = {
    "99050012104000": 2600,  # Gewerbe Anmeldung
    "99050012071000": 2600,  # Gewerbe Ummeldung
    "99050012070000": 1500,  # Gewerbe Abmeldung
    "99108001001000": 3000,  # Bewohnerparkausweis Erteilung
    "99001009004002": 0,  # Sperrmüll Abholung (in der Abfallgebühr enthalten)
    "99115003012000": 1000,  # amtliche Meldebestätigung
    "99036008007000": 2760,  # Kraftfahrzeug Zulassung
    "99023001036003": 4270,  # Führerschein Ersatz wegen Verlust
}
# services that run fully online in the demo (the automated cadastral extract, issue #6): the
# portal's own services, linked from their route (services.online), so no URL is stored
DEMO_AUTOMATED = set(INTERNAL_SERVICES)


def _demo_address(tenant: Tenant, index: int) -> tuple[str, str, str]:
    town = tenant.name.split(" ", 1)[-1] if tenant.kind == "municipality" else "Heinsberg"
    postcode = f"52{(int(tenant.ags[-3:] or 0) * 7 + 500) % 1000:03d}"
    return f"Demostraße {index + 1} (Demo-Adresse)", postcode, town


def _mailbox(office_name: str) -> str:
    """'Bürgerbüro' → 'buergerbuero' (ASCII local part for the demo address)."""
    name = office_name.lower()
    for umlaut, ascii_ in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        name = name.replace(umlaut, ascii_)
    return re.sub(r"[^a-z]", "", name)[:24]


def _ensure_offices(
    tenant: Tenant, plan: list[tuple[str, list[str]]]
) -> list[tuple[Office, list[str]]]:
    result = []
    for index, (name, patterns) in enumerate(plan):
        office = Office.objects.filter(name=name).first()
        if office is None:
            street, postcode, city = _demo_address(tenant, index)
            office = Office.objects.create(
                name=name,
                street=street,
                postcode=postcode,
                city=city,
                phone=f"02452 {100 + index * 11} (Demo)",
                email=f"{_mailbox(name)}@{tenant.slug}.example",
                opening_hours=_WEEKDAY_HOURS,
                appointment_url=f"https://termine.{tenant.slug}.example/",
                is_demo=True,
            )
        result.append((office, patterns))
    return result


def _office_for(name: str, offices: list[tuple[Office, list[str]]]) -> Office:
    lowered = name.lower()
    for office, patterns in offices:
        if not patterns or any(re.search(p, lowered) for p in patterns):
            return office
    return offices[-1][0]


def _plan_row(service: Service, tenant: Tenant, offices) -> LocalService:
    if tenant.kind == Tenant.Kind.DISTRICT:
        offered = district_offers(default=service.default_level, name=service.name)
        responsibility = Responsibility.SELF if offered else Responsibility.OTHER
        level = service.default_level
    else:
        level = level_for_tenant(
            default=service.default_level,
            name=service.name,
            tenant_slug=tenant.slug,
            tenant_kind=tenant.kind,
        )
        offered = level == Level.MUNICIPALITY
        responsibility = {
            Level.MUNICIPALITY: Responsibility.SELF,
            Level.DISTRICT: Responsibility.DISTRICT,
        }.get(level, Responsibility.OTHER)
    other = ""
    if responsibility == Responsibility.OTHER:
        other = {
            Level.FEDERAL: "zuständige Bundesbehörde",
            Level.STATE: "zuständige Landesbehörde (z. B. Bezirksregierung Köln)",
            Level.MUNICIPALITY: "Ihre Stadt- oder Gemeindeverwaltung",
        }.get(level, "zuständige Behörde")
    automated = offered and service.leika_key in DEMO_AUTOMATED
    return LocalService(
        service=service,
        offered=offered,
        responsibility=responsibility,
        other_authority=other,
        office=_office_for(service.name, offices) if offered else None,
        fee_cents=DEMO_LOCAL_FEES.get(service.leika_key) if offered else None,
        online_level=OnlineLevel.AUTOMATED if automated else OnlineLevel.INFORMATION,
        online_url="",  # own online services are linked from the route, never stored
    )


def seed_tenant(tenant: Tenant, services: list[Service]) -> int:
    with tenant_context(tenant), transaction.atomic():
        plan = DISTRICT_OFFICES if tenant.kind == Tenant.Kind.DISTRICT else MUNICIPAL_OFFICES
        offices = _ensure_offices(tenant, plan)
        existing = set(LocalService.objects.values_list("service_id", flat=True))
        rows = [_plan_row(s, tenant, offices) for s in services if s.pk not in existing]
        LocalService.objects.bulk_create(rows, batch_size=2000)  # bulk: no per-row signals
    sync_offers(tenant=tenant)
    return len(rows)


def seed_demo_catalogue() -> str:
    services = list(Service.objects.only("id", "leika_key", "name", "default_level"))
    if not services:
        return "the catalogue is empty: run `kreisportal catalogue import` first"
    lines = []
    for tenant in Tenant.objects.portals().order_by("kind", "slug"):
        created = seed_tenant(tenant, services)
        with tenant_context(tenant):
            offered = LocalService.objects.filter(offered=True).count()
        lines.append(f"{tenant.slug}: {offered} services offered ({created} local rows created)")
    lines.append(seed_demo_appointments())  # the offices' appointment schedules (issue #16)
    return "\n".join(lines)
