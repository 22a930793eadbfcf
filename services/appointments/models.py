"""Appointments at a tenant's offices (tenant schema): the office's appointment schedule, the
services it offers by appointment with their durations, exceptions, blocked periods and the
appointments themselves. A slot is never given twice: an exclusion constraint (btree_gist) over
(schedule, counter, time range) of every appointment that still holds its slot."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeBoundary, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Func, Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from services.accounts.models import Citizen
from services.local.models import Office, validate_opening_hours
from services.models import Service


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = models.DateTimeField()  # only used inside the constraint


class OfficeSchedule(ClusterableModel):
    """How an office gives appointments ("Terminangebot")."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    office = models.OneToOneField(
        Office,
        on_delete=models.CASCADE,
        related_name="appointment_schedule",
        verbose_name=_("Dienststelle"),
    )
    active = models.BooleanField(_("Terminbuchung aktiv"), default=True)
    counters = models.PositiveSmallIntegerField(
        _("Anzahl Schalter"), default=2, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("Raster (Minuten)"), default=5, choices=[(5, "5"), (10, "10"), (15, "15"), (30, "30")]
    )
    hours = models.JSONField(
        _("Öffnungszeiten für Termine"),
        default=list,
        blank=True,
        validators=[validate_opening_hours],
        help_text=_(
            'Leer: die Öffnungszeiten der Dienststelle. Sonst eine Liste wie [{"weekday": 0, '
            '"opens": "08:00", "closes": "12:00"}] (0 = Montag). Gesetzliche Feiertage in NRW '
            "sind automatisch geschlossen."
        ),
    )
    book_ahead_days = models.PositiveSmallIntegerField(
        _("Buchbar bis (Tage im Voraus)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    min_notice_minutes = models.PositiveIntegerField(
        _("Frühestens buchbar (Minuten vor Beginn)"), default=120
    )
    max_services = models.PositiveSmallIntegerField(
        _("Höchstzahl Leistungen je Termin"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    max_open_per_email = models.PositiveSmallIntegerField(
        _("Höchstzahl offener Termine je E-Mail-Adresse"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    note = models.TextField(_("Hinweis für Bürgerinnen und Bürger"), blank=True)

    class Meta:
        ordering = ["office__name"]
        verbose_name = _("Terminangebot")
        verbose_name_plural = _("Terminangebote")
        permissions = [("manage_appointments", _("Termine verwalten (Tagesansicht)"))]

    def __str__(self) -> str:
        return str(self.office)

    @property
    def weekly_hours(self) -> list[dict]:
        return self.hours or self.office.opening_hours


class OfficeService(models.Model):
    """A catalogue service this office offers by appointment, with its duration."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    schedule = ParentalKey(
        OfficeSchedule, on_delete=models.CASCADE, related_name="offered_services"
    )
    # DO_NOTHING: the catalogue lives in the public schema (as services_local.LocalService)
    service = models.ForeignKey(
        Service, on_delete=models.DO_NOTHING, related_name="+", verbose_name=_("Leistung")
    )
    minutes = models.PositiveSmallIntegerField(
        _("Dauer (Minuten)"), default=15, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )

    class Meta:
        ordering = ["service__name"]
        verbose_name = _("Leistung mit Termin")
        verbose_name_plural = _("Leistungen mit Termin")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "service"], name="officeservice_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service_id} ({self.minutes} min)"


class ScheduleException(models.Model):
    """A day that differs from the weekly pattern: closed, or opened (extra hours)."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("geschlossen")
        EXTRA = "extra", _("zusätzlich geöffnet")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    schedule = ParentalKey(OfficeSchedule, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("Tag"))
    kind = models.CharField(_("Art"), max_length=8, choices=Kind.choices, default=Kind.CLOSED)
    opens = models.TimeField(_("von"), null=True, blank=True)
    closes = models.TimeField(_("bis"), null=True, blank=True)
    note = models.CharField(_("Anlass"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("Ausnahme")
        verbose_name_plural = _("Ausnahmen")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="closed") | Q(opens__isnull=False, closes__gt=models.F("opens")),
                name="scheduleexception_extra_has_hours",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class Block(models.Model):
    """A counter (or all counters) blocked for a period, e.g. a clerk ill."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    schedule = models.ForeignKey(OfficeSchedule, on_delete=models.CASCADE, related_name="blocks")
    counter = models.PositiveSmallIntegerField(_("Schalter (leer: alle)"), null=True, blank=True)
    starts = models.DateTimeField(_("von"))
    ends = models.DateTimeField(_("bis"))
    reason = models.CharField(_("Grund"), max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts"]
        verbose_name = _("Sperrung")
        verbose_name_plural = _("Sperrungen")
        constraints = [
            models.CheckConstraint(condition=Q(starts__lt=models.F("ends")), name="block_order")
        ]

    def __str__(self) -> str:
        return f"{self.starts:%d.%m.%Y %H:%M}–{self.ends:%H:%M}"


class Status(models.TextChoices):
    HELD = "held", _("reserviert, unbestätigt")
    CONFIRMED = "confirmed", _("bestätigt")
    ARRIVED = "arrived", _("erschienen")
    CALLED = "called", _("aufgerufen")
    DONE = "done", _("erledigt")
    NO_SHOW = "no_show", _("nicht erschienen")
    CANCELLED = "cancelled", _("abgesagt")
    EXPIRED = "expired", _("verfallen")


# statuses that no longer hold a slot; every other status occupies its counter
RELEASED = [Status.CANCELLED, Status.EXPIRED]
OPEN = [Status.HELD, Status.CONFIRMED]


def new_secret() -> str:
    return secrets.token_urlsafe(18)


class Appointment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    schedule = models.ForeignKey(
        OfficeSchedule, on_delete=models.PROTECT, related_name="appointments"
    )
    counter = models.PositiveSmallIntegerField(_("Schalter"))
    starts = models.DateTimeField(_("Beginn"), db_index=True)
    ends = models.DateTimeField(_("Ende"))
    status = models.CharField(_("Status"), max_length=10, choices=Status.choices)
    code = models.CharField(_("Buchungscode"), max_length=12, unique=True)
    name = models.CharField(_("Name"), max_length=200)
    email = models.EmailField(_("E-Mail"))
    phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    citizen = models.ForeignKey(
        Citizen,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
    )
    # what was booked, as it was at booking time: [{"key", "name", "minutes"}]
    services = models.JSONField(_("Leistungen"), default=list)
    # part of the citizen's links: a new secret revokes them
    secret = models.CharField(max_length=32, default=new_secret, editable=False)
    # a keyed hash of the booking's IP address (limits per address); never the address itself
    client_key = models.CharField(max_length=64, blank=True, editable=False)
    held_until = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    arrived_at = models.DateTimeField(null=True, blank=True)
    called_at = models.DateTimeField(null=True, blank=True)
    # the counter the citizen was called to (any free clerk); `counter` stays the booked one
    called_counter = models.PositiveSmallIntegerField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    rebooked_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # the citizen's UI language when booking: the e-mails about this appointment use it
    language = models.CharField(_("Sprache"), max_length=8, default="de")
    is_demo = models.BooleanField(_("Demodaten"), default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts", "counter"]
        verbose_name = _("Termin")
        verbose_name_plural = _("Termine")
        constraints = [
            models.CheckConstraint(condition=Q(starts__lt=models.F("ends")), name="appt_order"),
            ExclusionConstraint(
                name="appointment_slot_given_once",
                expressions=[
                    ("schedule", RangeOperators.EQUAL),
                    ("counter", RangeOperators.EQUAL),
                    (
                        TsTzRange("starts", "ends", RangeBoundary()),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                # two comparisons, not IN (…): PostgreSQL prints an IN list differently after
                # a dump and restore, and new tenants are cloned from the template by pg_dump
                condition=~Q(status=Status.CANCELLED) & ~Q(status=Status.EXPIRED),
            ),
        ]
        indexes = [
            models.Index(fields=["email", "status"], name="appt_email_status"),
            models.Index(fields=["schedule", "starts"], name="appt_schedule_starts"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.starts:%d.%m.%Y %H:%M}"

    @property
    def service_names(self) -> str:
        return ", ".join(item.get("name", "") for item in self.services)

    @property
    def minutes(self) -> int:
        return int((self.ends - self.starts).total_seconds() // 60)
