"""FIT-Connect per tenant (tenant schema): the portal's environment, each form's destination,
every delivery (to a back office or to the citizen's ZBP) with its attempts and outcome, the
events read from the event log, and what the Sandbox-Fachverfahren received."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


class Environment(models.TextChoices):
    OFF = "off", _("aus")
    SANDBOX = "sandbox", _("Sandbox (Sandbox-Fachverfahren dieses Portals)")
    TEST = "test", _("Testumgebung der FITKO")
    PRODUCTION = "production", _("Produktion")


@register_setting(icon="mail")
class FitConnectSettings(BaseGenericSetting):
    """The tenant's FIT-Connect environment for deliveries and for the ZBP (one row per schema).
    The OAuth client and its secret are the portal's and come from the environment."""

    environment = models.CharField(
        _("FIT-Connect-Zustellung"),
        max_length=12,
        choices=Environment.choices,
        default=Environment.OFF,
        help_text=_("Wohin Anträge mit der Bearbeitung „FIT-Connect“ zugestellt werden."),
    )
    zbp_environment = models.CharField(
        _("Zentrales Bürgerpostfach (ZBP)"),
        max_length=12,
        choices=Environment.choices,
        default=Environment.OFF,
        help_text=_(
            "Status und Nachrichten an das Postfach der BundID von Bürgerinnen und Bürgern, "
            "die sich mit der BundID angemeldet haben."
        ),
    )
    ars = models.CharField(
        _("Amtlicher Regionalschlüssel (ARS)"),
        max_length=12,
        blank=True,
        help_text=_("Für die Suche der zuständigen Stelle; leer: der AGS des Portals."),
    )

    class Meta:
        verbose_name = _("FIT-Connect und ZBP")

    def clean(self) -> None:
        if self.ars and (not self.ars.isdigit() or len(self.ars) not in {2, 3, 5, 9, 12}):
            raise ValidationError({"ars": _("Der ARS hat 2, 3, 5, 9 oder 12 Ziffern.")})


class FormDestination(models.Model):
    """Where one online form's applications go: found by the routing service (LeiKa key of the
    form's service + the area) or a destination configured here."""

    class Mode(models.TextChoices):
        ROUTING = "routing", _("Routingdienst (Leistung + Gebiet)")
        FIXED = "fixed", _("fest eingetragener Zustellpunkt")

    form = models.OneToOneField(
        "applications.ApplicationForm",
        on_delete=models.CASCADE,
        related_name="fitconnect_destination",
        verbose_name=_("Online-Antragsformular"),
    )
    mode = models.CharField(_("Ermittlung"), max_length=10, choices=Mode.choices)
    destination_id = models.UUIDField(_("Zustellpunkt-ID"), null=True, blank=True)
    authority_name = models.CharField(
        _("Name der Behörde"),
        max_length=200,
        blank=True,
        help_text=_("Wird den Antragstellenden gezeigt („in Bearbeitung bei …“)."),
    )

    class Meta:
        verbose_name = _("FIT-Connect-Zustellpunkt")
        verbose_name_plural = _("FIT-Connect-Zustellpunkte")

    def __str__(self) -> str:
        return f"{self.form}: {self.authority_name or self.destination_id or self.mode}"

    def clean(self) -> None:
        if self.mode == self.Mode.FIXED and not self.destination_id:
            raise ValidationError(
                {"destination_id": _("Bitte die Zustellpunkt-ID (UUID) angeben.")}
            )


class Delivery(models.Model):
    """One submission to a FIT-Connect destination: an application to its back office, or a
    status/message to the citizen's ZBP. Attempts are retried with backoff; the row tells staff
    where it stands and why it failed."""

    class Kind(models.TextChoices):
        APPLICATION = "application", _("Antrag an die Fachbehörde")
        ZBP_STATUS = "zbp_status", _("Status an das ZBP")
        ZBP_MESSAGE = "zbp_message", _("Nachricht an das ZBP")

    class State(models.TextChoices):
        PENDING = "pending", _("wartet auf Zustellung")
        SUBMITTED = "submitted", _("zugestellt")
        ACCEPTED = "accepted", _("angenommen")
        REJECTED = "rejected", _("zurückgewiesen")
        FAILED = "failed", _("fehlgeschlagen")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # one delivery per thing delivered: "application:<public id>", "status:<id>:<status>", …
    dedupe_key = models.CharField(max_length=120, unique=True)
    application = models.ForeignKey(
        "applications.Application",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="fitconnect_deliveries",
    )
    environment = models.CharField(max_length=12, choices=Environment.choices)
    destination_id = models.CharField(max_length=40, blank=True)
    authority_name = models.CharField(max_length=200, blank=True)
    # what is delivered, for ZBP deliveries (status/message), built when the event happened
    payload = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    submission_id = models.CharField(max_length=40, blank=True)
    case_id = models.CharField(max_length=40, blank=True)
    key_id = models.CharField(max_length=80, blank=True)
    # GCM tags of the JWEs sent (metadata, data, attachments): an accept event must name them
    auth_tags = models.JSONField(default=dict, blank=True)
    attachment_ids = models.JSONField(default=dict, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    outcome_message = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("FIT-Connect-Zustellung")
        verbose_name_plural = _("FIT-Connect-Zustellungen")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dedupe_key} ({self.get_state_display()})"


class DeliveryEvent(models.Model):
    """A security event token read from the event log (or posted to the callback), verified."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="events")
    jti = models.CharField(max_length=80, unique=True)
    event = models.CharField(max_length=200)
    issuer = models.CharField(max_length=200)
    issued_at = models.DateTimeField()
    problems = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["issued_at", "pk"]

    def __str__(self) -> str:
        return f"{self.event.rsplit('/', 1)[-1]} {self.issued_at:%Y-%m-%d %H:%M}"


class SandboxSubmission(models.Model):
    """What the Sandbox-Fachverfahren of this portal received (demo only): the submission as the
    Submission API holds it (encrypted) and, once decrypted by the back office, its content."""

    class State(models.TextChoices):
        ANNOUNCED = "announced", _("angekündigt")
        SUBMITTED = "submitted", _("eingereicht")
        ACCEPTED = "accepted", _("angenommen")
        REJECTED = "rejected", _("zurückgewiesen")

    submission_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case_id = models.UUIDField(default=uuid.uuid4, editable=False)
    destination_id = models.CharField(max_length=40)
    service_identifier = models.CharField(max_length=200, blank=True)
    service_name = models.CharField(max_length=200, blank=True)
    announced_attachments = models.JSONField(default=list, blank=True)
    encrypted = models.JSONField(default=dict, blank=True)  # metadata, data, attachments (JWE)
    metadata = models.JSONField(default=dict, blank=True)
    data = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    event_log = models.JSONField(default=list, blank=True)  # signed SETs, in order
    state = models.CharField(max_length=12, choices=State.choices, default=State.ANNOUNCED)
    decision_note = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("Eingang im Sandbox-Fachverfahren")
        verbose_name_plural = _("Sandbox-Fachverfahren")

    def __str__(self) -> str:
        return f"{self.service_name} {self.submission_id}"


class SandboxAttachment(models.Model):
    """A decrypted attachment in the Sandbox-Fachverfahren: kept in the tenant's database, not as
    a file (it belongs to the demo back office, not to a citizen: only staff with the inbox
    permission download it, as a no-store attachment)."""

    submission = models.ForeignKey(
        SandboxSubmission, on_delete=models.CASCADE, related_name="attachments"
    )
    attachment_id = models.CharField(max_length=40)
    filename = models.CharField(max_length=200)
    mime_type = models.CharField(max_length=100)
    purpose = models.CharField(max_length=20)
    content = models.BinaryField(default=bytes)

    def __str__(self) -> str:
        return self.filename


class ZbpCursor(models.Model):
    """How far this tenant's audit trail and postbox were read for the ZBP (one row): what
    happened before the ZBP was switched on is not sent."""

    last_event_id = models.BigIntegerField(default=0)
    messages_after = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"ZBP bis Ereignis {self.last_event_id}"
