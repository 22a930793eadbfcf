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
# How a citizen signs in at each level (BundID): what the names on screen say.
METHODS = {
    TrustLevel.BASIC.value: "Benutzername und Passwort",
    TrustLevel.SUBSTANTIAL.value: "ELSTER-Zertifikat",
    TrustLevel.HIGH.value: "Online-Ausweis (eID)",
}
# The level BundID states for each attribute (akdb:TrustLevel on the attribute); NORMAL is
# STORK-QAA-Level-2, which the portal treats as basic.
BY_AKDB_TRUST_LEVEL = {
    "UNTERGEORDNET": TrustLevel.BASIC.value,
    "NORMAL": TrustLevel.BASIC.value,
    "SUBSTANTIELL": TrustLevel.SUBSTANTIAL.value,
    "HOCH": TrustLevel.HIGH.value,
}
# what the IdP states on attributes established at each level (BA's BundID simulator: Level-1
# is NORMAL)
AKDB_TRUST_LEVEL = {
    TrustLevel.BASIC.value: "NORMAL",
    TrustLevel.SUBSTANTIAL.value: "SUBSTANTIELL",
    TrustLevel.HIGH.value: "HOCH",
}
# binding steps at this level or higher re-authenticate at the IdP for the service (ForceAuthn)
STEP_UP_FROM = TrustLevel.SUBSTANTIAL.value


def rank(level: str) -> int:
    return LEVELS.get(level, ("", 0, ""))[1]


def meets(reached: str, required: str) -> bool:
    return rank(reached) >= rank(required)


def label(level: str) -> str:
    return LEVELS.get(level, ("", 0, level))[2]


def method(level: str) -> str:
    """How one signs in at `level`: "ELSTER-Zertifikat"."""
    return METHODS.get(level, "")


def describe(level: str) -> str:
    """The level for citizens, with the way of signing in and the STORK name:
    "substanziell – ELSTER-Zertifikat (STORK-QAA-Level-3)"."""
    if level not in LEVELS:
        return level
    class_ref, _, name = LEVELS[level]
    return f"{name} – {METHODS[level]} ({class_ref})"


def needs_step_up(required: str) -> bool:
    """Whether a binding step at `required` re-authenticates (substanziell or higher)."""
    return rank(required) >= rank(STEP_UP_FROM)
