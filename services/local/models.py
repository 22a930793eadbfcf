"""The local extension (tenant schema): offices and the tenant's part of each service."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kreisportal.identity.levels import TrustLevel
from services.models import Service
from services.online import internal_path, is_own_host_url

WEEKDAYS = [
    _("Montag"),
    _("Dienstag"),
    _("Mittwoch"),
    _("Donnerstag"),
    _("Freitag"),
    _("Samstag"),
    _("Sonntag"),
]


def validate_opening_hours(value: object) -> None:
    """[{"weekday": 0-6, "opens": "08:00", "closes": "12:30"}, …]"""
    if not isinstance(value, list):
        raise ValidationError(_("Öffnungszeiten müssen eine Liste sein."))
    for slot in value:
        try:
            weekday = int(slot["weekday"])
            opens = time.fromisoformat(slot["opens"])
            closes = time.fromisoformat(slot["closes"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError(
                _("Ungültige Öffnungszeit %(slot)s: erwartet weekday 0–6, opens/closes HH:MM."),
                params={"slot": slot},
            ) from exc
        if not 0 <= weekday <= 6 or opens >= closes:
            raise ValidationError(_("Ungültige Öffnungszeit %(slot)s."), params={"slot": slot})


class Office(models.Model):
    """An organisational unit with address, hours and contacts (Bürgerbüro, Standesamt, …)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("Name"), max_length=200)
    street = models.CharField(_("Straße und Hausnummer"), max_length=200)
    postcode = models.CharField(_("PLZ"), max_length=5)
    city = models.CharField(_("Ort"), max_length=100)
    phone = models.CharField(_("Telefon"), max_length=60, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    opening_hours = models.JSONField(
        _("Öffnungszeiten"), default=list, blank=True, validators=[validate_opening_hours]
    )
    appointment_url = models.URLField(_("Terminvereinbarung"), blank=True)
    is_demo = models.BooleanField(_("Demodaten"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Dienststelle")
        verbose_name_plural = _("Dienststellen")

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        return f"{self.street}, {self.postcode} {self.city}"

    def hours_by_day(self) -> list[tuple[str, list[str]]]:
        days: list[tuple[str, list[str]]] = [(name, []) for name in WEEKDAYS]
        for slot in sorted(self.opening_hours, key=lambda s: (s["weekday"], s["opens"])):
            days[int(slot["weekday"])][1].append(f"{slot['opens']}–{slot['closes']}")
        return [(name, spans) for name, spans in days if spans]

    def is_open_at(self, moment: datetime) -> bool:
        now = moment.time().replace(second=0, microsecond=0)
        return any(
            int(slot["weekday"]) == moment.weekday()
            and time.fromisoformat(slot["opens"]) <= now < time.fromisoformat(slot["closes"])
            for slot in self.opening_hours
        )


class Responsibility(models.TextChoices):
    SELF = "self", _("diese Verwaltung")
    DISTRICT = "district", _("der Kreis")
    OTHER = "other", _("eine andere Behörde")


class OnlineLevel(models.TextChoices):
    INFORMATION = "information", _("nur Information")
    ONLINE = "online", _("Online-Antrag")
    AUTOMATED = "automated", _("vollständig automatisiert")


class LocalService(models.Model):
    """This tenant's part of a catalogue service."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # DO_NOTHING: Django's cascade would look for this table in the public schema, where it
    # does not exist. The database's foreign key protects rows in use: a catalogue service that
    # tenants refer to cannot be deleted (the import never deletes; it updates).
    service = models.OneToOneField(
        Service, on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("Leistung")
    )
    offered = models.BooleanField(_("angeboten"), default=False)
    responsibility = models.CharField(
        _("zuständig"), max_length=16, choices=Responsibility.choices, default=Responsibility.SELF
    )
    other_authority = models.CharField(_("andere zuständige Behörde"), max_length=200, blank=True)
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("Dienststelle")
    )
    fee_cents = models.PositiveIntegerField(_("Gebühr vor Ort (Cent)"), null=True, blank=True)
    local_notes = models.TextField(_("Hinweise vor Ort"), blank=True)
    local_documents = models.TextField(_("Unterlagen vor Ort"), blank=True)
    online_level = models.CharField(
        _("Digitalisierung"),
        max_length=16,
        choices=OnlineLevel.choices,
        default=OnlineLevel.INFORMATION,
    )
    online_url = models.URLField(_("Online-Dienst"), blank=True)
    min_trust_level = models.CharField(
        _("Mindest-Vertrauensniveau für den Online-Antrag"),
        max_length=16,
        blank=True,
        choices=[("", _("keines")), *TrustLevel.choices],
        help_text=_(
            "Wer mit einem niedrigeren Niveau angemeldet ist, wird um eine erneute "
            "Anmeldung gebeten."
        ),
    )
    # where the cash office books the online fee (sent to XBezahldienste as `bookingData`)
    booking_cost_centre = models.CharField(_("Kostenstelle"), max_length=60, blank=True)
    booking_account = models.CharField(_("Sachkonto/Haushaltsstelle"), max_length=60, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Leistung vor Ort")
        verbose_name_plural = _("Leistungen vor Ort")
        ordering = ["service__name"]

    def __str__(self) -> str:
        return self.service.name

    @property
    def booking_data(self) -> dict[str, str]:
        """The fee's booking data for the payment platform; empty entries left out."""
        data = {"costCentre": self.booking_cost_centre, "account": self.booking_account}
        return {key: value for key, value in data.items() if value}

    def clean(self) -> None:
        if self.responsibility == Responsibility.OTHER and not self.other_authority.strip():
            raise ValidationError({"other_authority": _("Bitte die zuständige Behörde nennen.")})
        if self.online_url and is_own_host_url(self.online_url):
            # a host name changes, a route does not: own services are linked from their route
            raise ValidationError(
                {
                    "online_url": _(
                        "Online-Dienste des Portals selbst werden automatisch verlinkt; bitte "
                        "hier nur die Adresse eines externen Online-Dienstes angeben."
                    )
                }
            )
        internal = self.service_id is not None and internal_path(self.service.leika_key)
        if self.online_level != OnlineLevel.INFORMATION and not self.online_url and not internal:
            raise ValidationError(
                {"online_url": _("Bitte die Adresse des Online-Dienstes angeben.")}
            )


class SearchQueryStat(models.Model):
    """How often citizens searched for a (normalised) query on this portal and how well the
    catalogue answered: for the editors' "not found" list. No personal data: no IP address, no
    account, no time of a single search — only the words, counters and the day last seen."""

    query = models.CharField(_("Suchanfrage"), max_length=200, unique=True)
    searches = models.PositiveIntegerField(_("Suchen"), default=0)
    empty = models.PositiveIntegerField(_("ohne Treffer"), default=0)
    partial = models.PositiveIntegerField(_("nur Teiltreffer"), default=0)
    last_total = models.PositiveIntegerField(_("Treffer zuletzt"), default=0)
    # searches whose results page led to a click on a result (services/search_clicks.py):
    # a counter only, never which citizen clicked or when
    clicks = models.PositiveIntegerField(_("mit Klick"), default=0)
    last_seen = models.DateField(_("zuletzt gesucht"), auto_now=True)

    class Meta:
        ordering = ["-searches", "query"]
        verbose_name = _("Suchanfrage")
        verbose_name_plural = _("Suchanfragen")

    def __str__(self) -> str:
        return self.query

    @property
    def poor(self) -> int:
        return self.empty + self.partial


class LocalSynonym(models.Model):
    """A word citizens of this tenant use for a catalogue service ("Wertstoffhof" → …), added
    by an editor; the search of this tenant finds the service by it, other tenants do not."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    term = models.CharField(_("Suchbegriff"), max_length=120)
    # DO_NOTHING as for LocalService: the catalogue lives in the public schema
    service = models.ForeignKey(
        Service, on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("Leistung")
    )
    created = models.DateTimeField(_("angelegt"), auto_now_add=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("Örtlicher Suchbegriff")
        verbose_name_plural = _("Örtliche Suchbegriffe")
        constraints = [
            models.UniqueConstraint(fields=["term", "service"], name="localsynonym_unique")
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.service_id}"
