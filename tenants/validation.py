"""Checks shared by the CLI, the admin and the actions (validate-only, no writes)."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tenants.errors import TenantActionError
from tenants.models import IMPRINT_FIELDS, RESERVED_SLUGS, SLUG_PATTERN, Domain, Tenant

_HOSTNAME_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def check_slug(slug: str) -> str:
    slug = (slug or "").strip()
    if not re.match(SLUG_PATTERN, slug):
        raise TenantActionError(
            f"invalid slug {slug!r}: use 2–40 characters a–z, 0–9 and '-', starting with a letter"
        )
    if slug in RESERVED_SLUGS:
        raise TenantActionError(f"slug {slug!r} is reserved for the platform")
    if Tenant.objects.filter(slug=slug).exists():
        raise TenantActionError(f"slug {slug!r} is already taken")
    if Tenant.objects.filter(schema_name=schema_name_for(slug)).exists():
        raise TenantActionError(f"schema for slug {slug!r} is already taken")
    return slug


def schema_name_for(slug: str) -> str:
    """PostgreSQL schema of a tenant: its slug with '-' as '_' (no quoting needed anywhere)."""
    return slug.replace("-", "_")


def check_kind(kind: str) -> str:
    portal_kinds = {Tenant.Kind.DISTRICT.value, Tenant.Kind.MUNICIPALITY.value}
    if kind not in portal_kinds:
        raise TenantActionError(
            f"invalid kind {kind!r}: use one of {', '.join(sorted(portal_kinds))}"
        )
    return kind


def check_ags(ags: str, kind: str, *, exclude_pk: int | None = None) -> str:
    """Official municipality key: 8 digits for a municipality, 5 (Kreisschlüssel) for a district."""
    ags = (ags or "").strip()
    expected = 5 if kind == Tenant.Kind.DISTRICT else 8
    if not (ags.isascii() and ags.isdigit() and len(ags) == expected):
        what = "einen Kreis (Kreisschlüssel)" if kind == Tenant.Kind.DISTRICT else "eine Gemeinde"
        raise TenantActionError(
            f"invalid official key (AGS) {ags!r}: a {kind} needs exactly {expected} digits",
            german=f"Ungültiger Amtlicher Gemeindeschlüssel „{ags}“: für {what} genau "
            f"{expected} Ziffern angeben.",
        )
    taken = Tenant.objects.filter(ags=ags)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    other = taken.first()
    if other is not None:
        raise TenantActionError(
            f"official key (AGS) {ags!r} already belongs to another tenant",
            german=f"Der Amtliche Gemeindeschlüssel „{ags}“ gehört schon zu {other.name}.",
        )
    return ags


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise TenantActionError("invalid name: give 1–120 characters")
    return name


def normalise_hostname(hostname: str) -> str:
    return (hostname or "").strip().lower().rstrip(".")


def check_domain(hostname: str) -> str:
    """A host name that no tenant uses yet and that is not one of the platform's own hosts."""
    hostname = normalise_hostname(hostname)
    labels = hostname.split(".")
    if len(hostname) > 253 or len(labels) < 2 or not all(_HOSTNAME_LABEL.match(x) for x in labels):
        raise TenantActionError(
            f"invalid domain {hostname!r}: expected a host name like portal.example.de"
        )
    if hostname in platform_hostnames():
        raise TenantActionError(f"domain {hostname!r} is the platform's own host")
    if Domain.objects.filter(domain=hostname).exists():
        raise TenantActionError(f"domain {hostname!r} is already taken")
    return hostname


def platform_hostnames() -> set[str]:
    return {settings.BASE_DOMAIN, f"admin.{settings.BASE_DOMAIN}"}


def check_imprint(imprint: dict[str, str]) -> dict[str, str]:
    """The Impressum master data: known fields only, trimmed, within the columns' lengths."""
    unknown = set(imprint) - set(IMPRINT_FIELDS)
    if unknown:
        raise TenantActionError(f"Unbekannte Angaben zum Impressum: {', '.join(sorted(unknown))}")
    cleaned = {}
    for field, value in imprint.items():
        value = (value or "").strip()
        model_field = Tenant._meta.get_field(field)
        if len(value) > model_field.max_length:
            raise TenantActionError(
                f"{model_field.verbose_name}: höchstens {model_field.max_length} Zeichen."
            )
        if field == "contact_email" and value:
            value = check_email(value)
        cleaned[field] = value
    return cleaned


def check_username(username: str) -> str:
    username = (username or "").strip()
    try:
        if not username or len(username) > 150:
            raise ValidationError("length")
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise TenantActionError(
            "Ungültiger Benutzername: bis zu 150 Zeichen, Buchstaben, Ziffern und @ . + - _"
        ) from exc
    return username


def check_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise TenantActionError(f"Ungültige E-Mail-Adresse: {email!r}") from exc
    return email


def check_official_ags(ags: str, kind: str):
    """The key must be in the official register (tenants.municipality_keys): a municipality's
    AGS or a district's Kreisschlüssel. Returns its entry (official and suggested name).
    Asked by the tenant administration; run check_ags first for the shape and uniqueness."""
    from tenants.municipality_keys import as_of, lookup

    entry = lookup(ags, "district" if kind == Tenant.Kind.DISTRICT else "municipality")
    if entry is None:
        what = "Kreisschlüssel" if kind == Tenant.Kind.DISTRICT else "Amtlichen Gemeindeschlüssel"
        raise TenantActionError(
            f"unknown official key (AGS) {ags!r}: not in the Destatis register ({as_of()})",
            german=f"Den {what} „{ags}“ gibt es im Gemeindeverzeichnis des Statistischen "
            f"Bundesamts nicht (Gebietsstand {as_of()}). Bitte den Schlüssel prüfen.",
        )
    return entry
