"""Synthetic demo cadastre for the district, generated reproducibly (fixed seed) and clearly
marked as demo data. Gemarkung names are real places in Kreis Heinsberg; numbers, areas,
addresses and owners are invented. Some parcels belong to the sandbox personas."""

from __future__ import annotations

import random

from django.db import transaction

from services.fulfillment.models import Gemarkung, Owner, Parcel

GEMARKUNGEN = [
    ("052501", "Erkelenz"),
    ("052502", "Kückhoven"),
    ("052510", "Gangelt"),
    ("052511", "Birgden"),
    ("052520", "Geilenkirchen"),
    ("052530", "Heinsberg"),
    ("052531", "Oberbruch"),
    ("052540", "Hückelhoven"),
    ("052541", "Ratheim"),
    ("052550", "Übach"),
    ("052560", "Waldfeucht"),
    ("052570", "Wassenberg"),
    ("052580", "Wegberg"),
    ("052590", "Höngen"),
]
USAGES = [
    "Wohnbaufläche",
    "Ackerland",
    "Grünland",
    "Gewerbe und Industrie",
    "Mischnutzung",
    "Gehölz",
]
STREETS = ["Demoweg", "Musterstraße", "Am Beispielhof", "Probegasse", "Testallee"]
PERSONA_OWNERS = [
    ("Erika Mustermann", "sandbox-bpk2-erika-0001"),
    ("Hannah Probe", "sandbox-bpk2-hannah-0003"),
]


def _polygon(rng: random.Random, origin_x: float, origin_y: float) -> list[list[float]]:
    width, depth = rng.uniform(14, 60), rng.uniform(20, 90)
    skew = rng.uniform(-6, 6)
    return [
        [round(origin_x, 2), round(origin_y, 2)],
        [round(origin_x + width, 2), round(origin_y + skew, 2)],
        [round(origin_x + width + skew / 2, 2), round(origin_y + depth + skew, 2)],
        [round(origin_x - skew / 3, 2), round(origin_y + depth, 2)],
    ]


def polygon_area(points: list[list[float]]) -> float:
    return (
        abs(
            sum(
                x1 * y2 - x2 * y1
                for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)
            )
        )
        / 2
    )


@transaction.atomic
def generate_demo_cadastre(*, seed: int = 5370, parcels_per_gemarkung: int = 40) -> int:
    """Idempotent: an existing register is left as it is. Returns the number of parcels."""
    if Parcel.objects.exists():
        return Parcel.objects.count()
    rng = random.Random(seed)
    created = 0
    for number, name in GEMARKUNGEN:
        gemarkung = Gemarkung.objects.create(number=number, name=name)
        for index in range(parcels_per_gemarkung):
            flur = 1 + index // 10
            zaehler = 100 + index * 3 + rng.randint(0, 2)
            nenner = rng.choice([None, None, 1, 2, 3])
            polygon = _polygon(rng, (index % 10) * 70.0, (flur - 1) * 110.0)
            parcel = Parcel.objects.create(
                gemarkung=gemarkung,
                flur=flur,
                zaehler=zaehler,
                nenner=nenner,
                area_m2=int(polygon_area(polygon)),
                usage=rng.choice(USAGES),
                address=f"{rng.choice(STREETS)} {index + 1}, {name} (Demo)",
                polygon=polygon,
            )
            owner_name, pseudonym = (
                PERSONA_OWNERS[created % 2]
                if index % 13 == 0
                else (f"Demo-Eigentümer {created + 1}", "")
            )
            Owner.objects.create(parcel=parcel, name=owner_name, pseudonym=pseudonym)
            created += 1
    return created
