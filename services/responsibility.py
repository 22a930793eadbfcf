"""The documented, reviewable rule that decides who handles a service (demo seeding).

Input: LeiKa typing, the service name / OZG service, and the municipality's size class. Output:
the level that is responsible for a citizen of a municipality in Kreis Heinsberg. The rule is a
simplification of NRW practice, good enough for a demo; editors correct single services in their
admin, and the rule never overwrites an editor's change (seeding only fills missing rows).

1. LeiKa type 1 (federal law, federal authority executes) → federal authority.
2. Courts and chambers (Amtsgericht: Grundbuch, Kirchenaustritt in NRW; Kammern) → state level.
3. Services the Kreis executes for all its municipalities (vehicle registration, driving
   licences, cadastre, weapons, hunting, health office, veterinary office, foreigners' office,
   disability pass, parental allowance, …) → district.
4. Building supervision (Baugenehmigung, Bauvorbescheid, …): the "mittlere kreisangehörige
   Städte" are their own lower building authority (§ 57 BauO NRW with § 4 GO NRW); for the
   smaller municipalities the Kreis is → municipality or district by size class.
5. LeiKa types 4 and 2 (state law / state executes) → state, except local taxes and duties the
   municipality levies under state law (dog tax, second-home tax, …) → municipality.
6. Everything else (types 2/3, 3, 5, 6) → municipality.
"""

from __future__ import annotations

import re

from services.models import Level

# Municipalities of Kreis Heinsberg with the status "mittlere kreisangehörige Stadt" (> 20,000
# inhabitants) and hence their own building supervision. Demo assumption, reviewable here.
MEDIUM_SIZED_TOWNS = frozenset(
    {"erkelenz", "geilenkirchen", "heinsberg", "hueckelhoven", "uebach-palenberg", "wegberg"}
)

STATE_PATTERNS = [r"grundbuch", r"kirchenaustritt", r"kammer\b", r"landesärztekammer"]
DISTRICT_PATTERNS = [
    r"kraftfahrzeug",
    r"fahrzeug",
    r"kennzeichen",
    r"zulassungsbescheinigung",
    r"fahrerlaubnis",
    r"führerschein",
    r"fahrlehrer",
    r"fahrschul",
    r"liegenschaft",
    r"kataster",
    r"vermessung",
    r"flurstück",
    r"waffe",
    r"munition",
    r"jagd",
    r"fischereischein",
    r"schwerbehindert",
    r"elterngeld",
    r"unterhaltsvorschuss",
    r"aufenthalt",
    r"einbürgerung",
    r"visum",
    r"ausländer",
    r"niederlassungserlaubnis",
    r"lebensmittel",
    r"tierseuche",
    r"veterinär",
    r"tierarzneimittel",
    r"tierschutz",
    r"trinkwasser",
    r"infektion",
    r"gesundheitsamt",
    r"impf",
    r"heilpraktiker",
    r"belehrung",
    r"amtsärztlich",
    r"schuleingangsuntersuchung",
    r"untere wasserbehörde",
    r"abwasser",
    r"grundwasser",
    r"immission",
    r"bafög",
    r"ausbildungsförderung",
]
BUILDING_SUPERVISION_PATTERNS = [
    r"^baugenehmigung",
    r"^teilbaugenehmigung",
    r"^bauvorbescheid",
    r"^abbruch",
    r"baulast",
    r"bauüberwachung",
    r"bauzustandsbesichtigung",
    r"nutzungsänderung",
]
MUNICIPAL_UNDER_STATE_LAW = [
    r"hundesteuer",
    r"zweitwohnungssteuer",
    r"vergnügungssteuer",
    r"kindertagesstätte",
    r"friedhof",
    r"bestattung",
    r"straßenreinigung",
    r"abfallgebühr",
    r"sperrmüll",
]


def _matches(patterns: list[str], text: str) -> bool:
    return any(re.search(pattern, text) for pattern in patterns)


def is_building_supervision(name: str) -> bool:
    return _matches(BUILDING_SUPERVISION_PATTERNS, name.lower())


def default_level(*, name: str, leika_type: str | None, ozg_service: str = "") -> str:
    """The catalogue-wide default level (rules 1–6, with building supervision as municipal)."""
    text = f"{name} {ozg_service}".lower()
    leika_type = (leika_type or "").strip()
    if leika_type == "1" or leika_type.startswith("1,"):
        return Level.FEDERAL
    if _matches(STATE_PATTERNS, text):
        return Level.STATE
    if _matches(DISTRICT_PATTERNS, text):
        return Level.DISTRICT
    if is_building_supervision(name):
        return Level.MUNICIPALITY
    if leika_type in {"4", "2"} and not _matches(MUNICIPAL_UNDER_STATE_LAW, text):
        return Level.STATE
    return Level.MUNICIPALITY


def level_for_tenant(*, default: str, name: str, tenant_slug: str, tenant_kind: str) -> str:
    """The level responsible for this tenant's citizens (rule 4 depends on the town's size)."""
    if tenant_kind == "municipality" and is_building_supervision(name):
        return Level.MUNICIPALITY if tenant_slug in MEDIUM_SIZED_TOWNS else Level.DISTRICT
    return default


def district_offers(*, default: str, name: str) -> bool:
    """The Kreis offers its own services and building supervision for the smaller towns."""
    return default == Level.DISTRICT or is_building_supervision(name)
