"""Demo appointments: every municipality's Bürgerbüro (ID card, passport, registering an
address, certificate of conduct) and the district's road traffic office (vehicle registration,
driving licence), with a realistic mix of already-booked slots so the calendar looks alive.
Booked rows are marked as demo data (is_demo, "Demo:" names, .invalid addresses); no reminders
go to them. Idempotent: offices already giving appointments are left alone."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from services.appointments.models import Appointment, OfficeSchedule, OfficeService, Status
from services.appointments.slots import BERLIN, Calendar, day_spans, days_between
from services.local.models import Office
from services.models import Service
from tenants.models import Tenant

MUNICIPAL = {
    "Bürgerbüro": (
        3,
        [
            ("99008001012000", 15),  # Personalausweis Ausstellung
            ("99085001012000", 20),  # Reisepass Ausstellung
            ("99115005104000", 10),  # Wohnsitz Anmeldung
            ("99049001001000", 10),  # Führungszeugnis Erteilung
        ],
    )
}
DISTRICT = {
    "Straßenverkehrsamt – Zulassungsstelle": (4, [("99036008007000", 20)]),
    "Straßenverkehrsamt – Führerscheinstelle": (
        2,
        [("99023001051000", 15), ("99023001036003", 15)],  # Umtausch, Ersatz wegen Verlust
    ),
}
GIVEN = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Emma",
    "Felix",
    "Greta",
    "Hannes",
    "Ida",
    "Jonas",
    "Lea",
    "Mats",
    "Nora",
    "Paul",
    "Rosa",
    "Tim",
]
FAMILY = [
    "Becker",
    "Schmitz",
    "Hoffmann",
    "Wagner",
    "Jansen",
    "Peters",
    "Coenen",
    "Dahmen",
    "Kuhlen",
    "Laumen",
    "Houben",
    "Schmitz",
]
CODE_ALPHABET = "ACEFHJKMNPRTUVWXY34679"
DEMO_CLERK, DEMO_PASSWORD = "demo-termine", "kreisportal-demo"
BOOKED_SHARE = 0.55  # about half of the near future is taken, less further ahead


def _code(rng: random.Random, taken: set[str]) -> str:
    while True:
        raw = "".join(rng.choice(CODE_ALPHABET) for _ in range(6))
        code = f"{raw[:3]}-{raw[3:]}"
        if code not in taken:
            taken.add(code)
            return code


def booked_rows(
    schedule: OfficeSchedule, offered: list[tuple[Service, int]], rng: random.Random, days: int
) -> list[Appointment]:
    """Confirmed demo appointments on the next `days` days, busier soon than later."""
    taken = set(Appointment.objects.values_list("code", flat=True))
    calendar = Calendar(
        counters=schedule.counters,
        slot_minutes=schedule.slot_minutes,
        weekly=schedule.weekly_hours,
    )
    today = timezone.localdate()
    rows = []
    for day in days_between(today + timedelta(days=1), today + timedelta(days=days)):
        share = BOOKED_SHARE * (1 - (day - today).days / (days * 1.6))
        for opens, closes in day_spans(calendar, day):
            for counter in range(1, schedule.counters + 1):
                moment = opens
                while True:
                    service, minutes = rng.choice(offered)
                    if moment + minutes * 60 > closes:
                        break
                    if rng.random() < share:
                        starts = datetime.fromtimestamp(moment, tz=BERLIN)
                        name = f"Demo: {rng.choice(GIVEN)} {rng.choice(FAMILY)}"
                        rows.append(
                            Appointment(
                                schedule=schedule,
                                counter=counter,
                                starts=starts,
                                ends=starts + timedelta(minutes=minutes),
                                status=Status.CONFIRMED,
                                code=_code(rng, taken),
                                name=name,
                                email=f"demo-{rng.randrange(10**6)}@example.invalid",
                                services=[
                                    {
                                        "key": service.leika_key,
                                        "name": service.name,
                                        "minutes": minutes,
                                    }
                                ],
                                confirmed_at=timezone.now(),
                                is_demo=True,
                            )
                        )
                        moment += minutes * 60
                    else:
                        moment += schedule.slot_minutes * 60
    return rows


def _ensure_demo_clerk() -> None:
    """A demo clerk in the group "Terminverwaltung" of this tenant (day view, call-up)."""
    user, created = get_user_model().objects.get_or_create(
        username=DEMO_CLERK, defaults={"email": f"{DEMO_CLERK}@demo.invalid"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    group = Group.objects.filter(name="Terminverwaltung").first()
    if group is not None:
        user.groups.add(group)


def seed_tenant_appointments(tenant: Tenant, *, days: int = 28) -> int:
    plan = DISTRICT if tenant.kind == Tenant.Kind.DISTRICT else MUNICIPAL
    rng = random.Random(f"appointments-{tenant.slug}")
    created = 0
    with tenant_context(tenant), transaction.atomic():
        _ensure_demo_clerk()
        for office_name, (counters, services) in plan.items():
            office = Office.objects.filter(name=office_name).first()
            if office is None or OfficeSchedule.objects.filter(office=office).exists():
                continue
            schedule = OfficeSchedule.objects.create(
                office=office,
                counters=counters,
                slot_minutes=5,
                note="Demodaten: gebuchte Termine mit „Demo:“ im Namen sind erfunden.",
            )
            by_key = {
                s.leika_key: s
                for s in Service.objects.filter(leika_key__in=[key for key, _ in services])
            }
            offered = []
            for key, minutes in services:
                if key in by_key:
                    OfficeService.objects.create(
                        schedule=schedule, service=by_key[key], minutes=minutes
                    )
                    offered.append((by_key[key], minutes))
            if offered:
                rows = booked_rows(schedule, offered, rng, days)
                Appointment.objects.bulk_create(rows, batch_size=1000)
                created += len(rows)
    return created


def seed_demo_appointments() -> str:
    total = sum(seed_tenant_appointments(t) for t in Tenant.objects.portals())
    return f"{total} Demo-Termine angelegt"
