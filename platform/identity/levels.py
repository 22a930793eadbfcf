"""Trust levels of the BundID SAML profile (STORK QAA levels)."""

from __future__ import annotations

LEVELS = {
    "basic": ("STORK-QAA-Level-1", 1, "basisregistriert"),
    "substantial": ("STORK-QAA-Level-3", 3, "substanziell"),
    "high": ("STORK-QAA-Level-4", 4, "hoch"),
}
BY_CLASS_REF = {class_ref: name for name, (class_ref, _, _) in LEVELS.items()}


def rank(level: str) -> int:
    return LEVELS.get(level, ("", 0, ""))[1]


def meets(reached: str, required: str) -> bool:
    return rank(reached) >= rank(required)


def label(level: str) -> str:
    return LEVELS.get(level, ("", 0, level))[2]
