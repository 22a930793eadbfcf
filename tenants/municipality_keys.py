"""The official keys of Germany's municipalities and districts (Destatis, Gemeindeverzeichnis
GV-ISys, file GV100AD), shipped in tenants/data/ (see its README for source and licence).

`lookup(key)` answers for an 8-digit Amtlicher Gemeindeschlüssel (AGS) of a municipality or a
5-digit Kreisschlüssel of a district (or kreisfreie Stadt) with the official name and the
name suggested for a portal. Rebuild the data file from a newer GV100AD file with
`python -m tenants.municipality_keys GV100AD_DDMMYY.txt`.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "gemeindeverzeichnis.csv"
FIELDS = ["key", "ars", "kind", "type", "name", "as_of"]

# GV100AD: record type 40 is a Kreis (district level), 60 a Gemeinde. Fixed columns (1-based in
# Destatis' description): type 1-2, as-of date 3-10, Land 11-12, Regierungsbezirk 13, Kreis 14-15,
# then for type 60 the Gemeinde 16-18 (so 11-18 is the AGS) and the Gemeindeverband 19-22 (the
# ARS is Land..Kreis, Verband, Gemeinde); name 23-72; for type 40 the district type 123-124.
_DISTRICT_TYPES = {
    "41": "Kreisfreie Stadt",
    "42": "Stadtkreis",
    "43": "Kreis",
    "44": "Landkreis",
    "45": "Regionalverband",
}


@dataclass(frozen=True)
class OfficialEntry:
    key: str  # the AGS (8 digits) or the Kreisschlüssel (5 digits)
    ars: str  # the Amtlicher Regionalschlüssel (12 digits for a municipality)
    kind: str  # "municipality" or "district"
    type: str  # the district's type ("Kreis", "Landkreis", ...), "" for municipalities
    name: str  # as in the register: "Erkelenz, Stadt"
    as_of: str  # Gebietsstand, YYYY-MM-DD

    @property
    def suggested_name(self) -> str:
        """The portal's name as people say it: "Stadt Erkelenz", "Gemeinde Gangelt",
        "Kreis Heinsberg"."""
        name = self.name
        if self.kind == "district":
            if self.type in ("Kreis", "Landkreis") and not any(
                word in name.lower() for word in ("kreis", "region")
            ):
                return f"{self.type} {name}"
            return name
        place, _, title = name.partition(", ")
        if not title:
            return f"Gemeinde {place}"
        if title == "Stadt":
            return f"Stadt {place}"
        return name


def parse_gv100ad(lines: Iterable[str]) -> Iterator[OfficialEntry]:
    """The districts (type 40) and municipalities (type 60) of a GV100AD file."""
    for line in lines:
        record = line[:2]
        if record not in ("40", "60"):
            continue
        as_of = f"{line[2:6]}-{line[6:8]}-{line[8:10]}"
        name = line[22:72].strip()
        if record == "40":
            key = line[10:15]
            kind_type = _DISTRICT_TYPES.get(line[122:124], "")
            yield OfficialEntry(key, key, "district", kind_type, name, as_of)
        else:
            ags, association = line[10:18], line[18:22]
            ars = ags[:5] + association + ags[5:]
            yield OfficialEntry(ags, ars, "municipality", "", name, as_of)


@cache
def _entries() -> dict[tuple[str, str], OfficialEntry]:
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle)
        return {(row["kind"], row["key"]): OfficialEntry(**row) for row in rows}


def lookup(key: str, kind: str) -> OfficialEntry | None:
    """The official entry for a key of this kind ("municipality": AGS, "district":
    Kreisschlüssel), None when the register has no such key."""
    return _entries().get((kind, (key or "").strip()))


def as_of() -> str:
    """The register's Gebietsstand (DD.MM.YYYY), for messages."""
    year, month, day = next(iter(_entries().values())).as_of.split("-")
    return f"{day}.{month}.{year}"


def write_data_file(source: Path, target: Path = DATA_FILE) -> int:
    """Convert a GV100AD file (UTF-8, as Destatis ships it since 2020) into the data file."""
    with source.open(encoding="utf-8") as handle:
        entries = list(parse_gv100ad(handle))
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(FIELDS)
        for entry in entries:
            writer.writerow([getattr(entry, field) for field in FIELDS])
    return len(entries)


if __name__ == "__main__":  # pragma: no cover - the conversion, run by hand
    count = write_data_file(Path(sys.argv[1]))
    print(f"{count} entries written to {DATA_FILE}")
