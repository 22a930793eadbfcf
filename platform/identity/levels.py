"""Trust levels of the BundID SAML profile (STORK QAA levels): the one definition every app
uses — model choices (`TrustLevel.choices`), the SAML class references, labels and the check."""

from __future__ import annotations

from django.db import models


class TrustLevel(models.TextChoices):
    BASIC = "basic", "basisregistriert"
    SUBSTANTIAL = "substantial", "substanziell"
    HIGH = "high", "hoch"


_CLASS_REFS = {
    TrustLevel.BASIC: ("STORK-QAA-Level-1", 1),
    TrustLevel.SUBSTANTIAL: ("STORK-QAA-Level-3", 3),
    TrustLevel.HIGH: ("STORK-QAA-Level-4", 4),
}
LEVELS = {
    level.value: (class_ref, rank, level.label) for level, (class_ref, rank) in _CLASS_REFS.items()
}
BY_CLASS_REF = {class_ref: name for name, (class_ref, _, _) in LEVELS.items()}


def rank(level: str) -> int:
    return LEVELS.get(level, ("", 0, ""))[1]


def meets(reached: str, required: str) -> bool:
    return rank(reached) >= rank(required)


def label(level: str) -> str:
    return LEVELS.get(level, ("", 0, level))[2]
