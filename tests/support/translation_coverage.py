"""Translation coverage of the UI catalogues: strings translated / total, per language.

    .venv/bin/python -m tests.support.translation_coverage

prints one line per language for all strings and for the citizen-facing ones (templates of the
citizen pages, views and forms); editors' Wagtail admin strings may stay German.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "platform" / "locale"
ADMIN_MARKERS = ("/admin/", "wagtailadmin/", "wagtail_hooks.py", "tenants/templates/")


def is_citizen_facing(path: str) -> bool:
    """A source file whose strings citizens read: citizen templates, views and forms."""
    if any(marker in path for marker in ADMIN_MARKERS):
        return False
    return path.endswith((".html", ".txt", "/views.py", "/forms.py"))


@dataclass
class Coverage:
    language: str
    translated: int
    total: int
    citizen_translated: int
    citizen_total: int
    citizen_missing: list[str]

    def line(self) -> str:
        return (
            f"{self.language}: {self.translated}/{self.total} strings translated "
            f"({100 * self.translated / self.total:.1f} %); citizen-facing "
            f"{self.citizen_translated}/{self.citizen_total}"
        )


def coverage(language: str) -> Coverage:
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    entries = [e for e in catalogue if not e.obsolete]
    done = [e for e in entries if e.translated()]
    citizen = [e for e in entries if any(is_citizen_facing(path) for path, _ in e.occurrences)]
    missing = [e.msgid for e in citizen if not e.translated()]
    return Coverage(
        language=language,
        translated=len(done),
        total=len(entries),
        citizen_translated=len(citizen) - len(missing),
        citizen_total=len(citizen),
        citizen_missing=missing,
    )


def languages() -> list[str]:
    return sorted(p.name for p in LOCALE.iterdir() if (p / "LC_MESSAGES" / "django.po").exists())


def main() -> None:
    for language in languages():
        print(coverage(language).line())


if __name__ == "__main__":
    main()
