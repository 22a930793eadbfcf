"""The shared service catalogue (public schema), keyed by the 14-digit LeiKa key."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

LEIKA_KEY_PATTERN = r"^\d{14}$"


class Topic(models.Model):
    """Themenfeld (15 topics)."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Themenfeld")
        verbose_name_plural = _("Themenfelder")

    def __str__(self) -> str:
        return self.name


class LifeSituation(models.Model):
    """Lebenslage (56 life situations)."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Lebenslage")
        verbose_name_plural = _("Lebenslagen")

    def __str__(self) -> str:
        return self.name


class Level(models.TextChoices):
    """Who handles a service for a citizen of a municipality in the district."""

    MUNICIPALITY = "municipality", _("Gemeinde/Stadt")
    DISTRICT = "district", _("Kreis")
    STATE = "state", _("Land")
    FEDERAL = "federal", _("Bund")


class Service(models.Model):
    """A public service of the Leistungskatalog with its FIM text modules."""

    leika_key = models.CharField(
        _("LeiKa-Schlüssel"),
        max_length=14,
        unique=True,
        validators=[RegexValidator(LEIKA_KEY_PATTERN, _("14 Ziffern"))],
    )
    name = models.CharField(_("Bezeichnung"), max_length=400)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL)
    life_situation = models.ForeignKey(
        LifeSituation, null=True, blank=True, on_delete=models.SET_NULL
    )
    ozg_service = models.CharField(_("OZG-Leistung"), max_length=300, blank=True)
    ozg_id = models.CharField(_("OZG-ID"), max_length=20, blank=True)
    leika_type = models.CharField(_("LeiKa-Typisierung"), max_length=20, blank=True)
    authority_type = models.CharField(_("Regelung/Vollzug"), max_length=200, blank=True)
    legal_basis = models.TextField(_("Rechtsgrundlage"), blank=True)
    laws = models.TextField(blank=True)
    law_shortcuts = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)
    synonyms = ArrayField(models.CharField(max_length=120), default=list, blank=True)
    default_level = models.CharField(
        _("Zuständige Ebene (Regel)"), max_length=16, choices=Level.choices, blank=True
    )
    # findability (services/content/names_en.json, everyday_de.json): the English name shown
    # on the English UI, and everyday German and English words searched like the name
    name_en = models.CharField(_("Bezeichnung (Englisch)"), max_length=300, blank=True)
    aliases = ArrayField(models.CharField(max_length=200), default=list, blank=True)

    # FIM text modules (German)
    short_text = models.TextField(_("Kurztext"), blank=True)
    full_text = models.TextField(_("Volltext"), blank=True)
    prerequisites = models.JSONField(_("Voraussetzungen"), default=list, blank=True)
    documents = models.JSONField(_("Erforderliche Unterlagen"), default=list, blank=True)
    fees = models.TextField(_("Kosten"), blank=True)
    fee_cents = models.PositiveIntegerField(_("Gebühr (Cent)"), null=True, blank=True)
    deadlines = models.TextField(_("Fristen"), blank=True)
    procedure = models.JSONField(_("Verfahrensablauf"), default=list, blank=True)
    legal_links = models.JSONField(_("Rechtsgrundlagen (Links)"), default=list, blank=True)
    hints = models.TextField(_("Hinweise"), blank=True)

    # search: maintained by services.search.refresh_search_columns()
    search_vector = SearchVectorField(null=True, editable=False)
    search_terms = models.TextField(blank=True, editable=False)
    has_description = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Leistung")
        verbose_name_plural = _("Leistungen")
        indexes = [
            GinIndex(fields=["search_vector"], name="service_search_vector_gin"),
            GinIndex(
                fields=["search_terms"],
                name="service_search_terms_trgm",
                opclasses=["gin_trgm_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def initial(self) -> str:
        return initial_of(self.name)


def initial_of(name: str) -> str:
    """A–Z bucket: first letter, umlauts with their base letter, digits and others under '#'."""
    first = (name or "#")[0].upper()
    first = {"Ä": "A", "Ö": "O", "Ü": "U"}.get(first, first)
    return first if "A" <= first <= "Z" else "#"


class SearchWord(models.Model):
    """Vocabulary of the catalogue (words of names and synonyms) for "did you mean"."""

    word = models.CharField(max_length=80, unique=True)
    frequency = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            GinIndex(fields=["word"], name="searchword_trgm", opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self) -> str:
        return self.word


class ServiceOffer(models.Model):
    """Read model "who offers what" (public schema): one row per tenant and service, kept in
    step with every local change, so the district-wide finder needs one query, not 11 schemas.
    Holds no citizen data."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="offers")
    offered = models.BooleanField(default=False)
    responsibility = models.CharField(max_length=16)
    authority_name = models.CharField(max_length=200, blank=True)
    office_name = models.CharField(max_length=200, blank=True)
    office_address = models.CharField(max_length=300, blank=True)
    office_phone = models.CharField(max_length=60, blank=True)
    office_email = models.CharField(max_length=200, blank=True)
    appointment_url = models.URLField(blank=True)
    online_level = models.CharField(max_length=16, blank=True)
    online_url = models.URLField(blank=True)
    fee_cents = models.PositiveIntegerField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "service"], name="serviceoffer_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}/{self.service_id}: {self.responsibility}"
