"""Online applications (tenant schema): the editor's form definition, the citizen's application
with its explicit states, uploads and the audit trail of every change."""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.models import Orderable

from kreisportal.files import private_storage, private_upload_to
from kreisportal.identity.levels import TrustLevel
from kreisportal.text import german_slugify
from services.applications.handlers import detail_url, form_handling, handlers, handling_of

TRUST_LEVELS = TrustLevel.choices
CLERK = "clerk"


def handling_choices() -> list[tuple[str, str]]:
    """A clerk, or one of the automated handlers registered in services.applications.handlers."""
    return [(CLERK, _("Sachbearbeitung (Posteingang)"))] + [
        (handler.identifier, f"{_('automatisch')}: {handler.label}")
        for handler in handlers
        if handler.handles_applications
    ]


class ApplicationFormAdminForm(WagtailAdminModelForm):
    """Checks across the inline fields: each field needs a name of its own."""

    def clean(self):
        cleaned = super().clean()
        seen: dict[str, str] = {}
        for child in self.formsets["fields"].forms:
            child.is_valid()  # the inline forms are validated after this form otherwise
            data = getattr(child, "cleaned_data", None) or {}
            if not data or data.get("DELETE"):
                continue
            name = data.get("name") or field_name_for(data.get("label", ""))
            if name in seen:
                child.add_error(
                    "label",
                    _("Zwei Felder hätten denselben internen Namen „%(name)s“ (wie „%(other)s“).")
                    % {"name": name, "other": seen[name]},
                )
            seen[name] = data.get("label", "")
        return cleaned


def field_name_for(label: str) -> str:
    return german_slugify(label).replace("-", "_")[:60] or "feld"


class ApplicationForm(ClusterableModel):
    """An editor turns one of the tenant's catalogue services into an online application."""

    base_form_class = ApplicationFormAdminForm

    local_service = models.OneToOneField(
        "services_local.LocalService",
        on_delete=models.PROTECT,
        related_name="application_form",
        verbose_name=_("Leistung"),
    )
    title = models.CharField(_("Titel"), max_length=200)
    slug = models.SlugField(
        _("Adresse"), max_length=80, unique=True, help_text=_("Teil der Adresse: /antraege/…/")
    )
    intro = models.TextField(_("Einleitung"), blank=True)
    fee_cents = models.PositiveIntegerField(
        _("Gebühr (Cent)"), default=0, help_text=_("0 = gebührenfrei; sonst wird online bezahlt.")
    )
    min_trust_level = models.CharField(
        _("Mindest-Vertrauensniveau"), max_length=16, choices=TRUST_LEVELS, default="basic"
    )
    handling = models.CharField(
        _("Bearbeitung"), max_length=40, default=CLERK, choices=handling_choices
    )
    active = models.BooleanField(_("online verfügbar"), default=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("Online-Antragsformular")
        verbose_name_plural = _("Online-Antragsformulare")

    def __str__(self) -> str:
        return self.title

    @property
    def handled_by_clerk(self) -> bool:
        return self.handling == CLERK

    @property
    def entry_url(self) -> str:
        """Where citizens start it: the generic form page, or the handler's own page."""
        return form_handling(self).entry_url(self)

    def clean(self) -> None:
        if not self.slug and self.title:
            self.slug = german_slugify(self.title)[:80]


class FieldKind(models.TextChoices):
    TEXT = "text", _("Textzeile")
    TEXTAREA = "textarea", _("mehrzeiliger Text")
    EMAIL = "email", _("E-Mail-Adresse")
    DATE = "date", _("Datum")
    NUMBER = "number", _("Zahl")
    CHOICE = "choice", _("Auswahl")
    CHECKBOX = "checkbox", _("Ankreuzfeld")
    FILE = "file", _("Datei-Upload")


class DateRule(models.TextChoices):
    ANY = "", _("beliebig")
    PAST = "past", _("heute oder früher (z. B. Geburtsdatum)")
    FUTURE = "future", _("heute oder später (z. B. Beginn)")


TEXT_KINDS = {FieldKind.TEXT, FieldKind.TEXTAREA}


class ApplicationFormField(Orderable):
    form = ParentalKey(ApplicationForm, on_delete=models.CASCADE, related_name="fields")
    label = models.CharField(_("Bezeichnung"), max_length=200)
    name = models.SlugField(
        _("interner Name"),
        max_length=60,
        blank=True,
        help_text=_("Wird aus der Bezeichnung gebildet, wenn leer."),
    )
    kind = models.CharField(_("Art"), max_length=16, choices=FieldKind.choices)
    required = models.BooleanField(_("Pflichtfeld"), default=True)
    help_text = models.CharField(_("Hilfetext"), max_length=300, blank=True)
    choices = models.TextField(
        _("Auswahlmöglichkeiten"), blank=True, help_text=_("Eine pro Zeile (nur bei „Auswahl“).")
    )
    # rules the editor sets; checked on the citizen's input (services.applications.forms)
    pattern = models.CharField(
        _("Muster"),
        max_length=200,
        blank=True,
        help_text=_(
            "Nur bei Textzeilen: ein regulärer Ausdruck, dem die ganze Eingabe entsprechen muss, "
            "z. B. \\d{15} für eine 15-stellige Chipnummer."
        ),
    )
    pattern_message = models.CharField(
        _("Meldung, wenn das Muster nicht passt"),
        max_length=200,
        blank=True,
        help_text=_("In verständlichen Worten, z. B. „Die Chipnummer hat genau 15 Ziffern.“"),
    )
    date_rule = models.CharField(
        _("Erlaubte Daten"), max_length=10, blank=True, choices=DateRule.choices, default=""
    )
    min_value = models.DecimalField(
        _("kleinster Wert"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("größter Wert"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta(Orderable.Meta):
        verbose_name = _("Formularfeld")
        verbose_name_plural = _("Formularfelder")

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self) -> None:
        if not self.name:
            self.name = field_name_for(self.label)
        if self.kind == FieldKind.CHOICE and len(self.choice_list) < 2:
            raise ValidationError({"choices": _("Bitte mindestens zwei Möglichkeiten angeben.")})
        self._clean_rules()

    def _clean_rules(self) -> None:
        """A rule only where it means something, and a pattern only with its message."""
        errors: dict[str, str] = {}
        if self.pattern:
            if self.kind not in TEXT_KINDS:
                errors["pattern"] = _("Ein Muster gibt es nur bei Textfeldern.")
            else:
                try:
                    re.compile(self.pattern)
                except re.error as exc:
                    errors["pattern"] = _(
                        "Das Muster ist kein gültiger regulärer Ausdruck (%(error)s)."
                    ) % {"error": exc}
            if not self.pattern_message.strip():
                errors["pattern_message"] = _(
                    "Bitte sagen Sie in Worten, was erwartet wird; diese Meldung sehen die "
                    "Antragstellenden."
                )
        if self.date_rule and self.kind != FieldKind.DATE:
            errors["date_rule"] = _("Diese Regel gibt es nur bei Datumsfeldern.")
        if self.kind != FieldKind.NUMBER:
            for name in ("min_value", "max_value"):
                if getattr(self, name) is not None:
                    errors[name] = _("Grenzen gibt es nur bei Zahlenfeldern.")
        elif (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            errors["max_value"] = _("Der größte Wert ist kleiner als der kleinste.")
        if errors:
            raise ValidationError(errors)


class Status(models.TextChoices):
    DRAFT = "draft", _("Entwurf")
    SUBMITTED = "submitted", _("eingereicht")
    AWAITING_PAYMENT = "awaiting_payment", _("wartet auf Zahlung")
    PAID = "paid", _("bezahlt")
    IN_PROGRESS = "in_progress", _("in Bearbeitung")
    COMPLETED = "completed", _("abgeschlossen")
    REJECTED = "rejected", _("abgelehnt")
    CANCELLED = "cancelled", _("zurückgezogen")


class Review(models.TextChoices):
    """A clerk's look at a case an automated handler would otherwise complete alone (a
    cadastral extract with owners for someone stating a legitimate interest)."""

    NONE = "", _("keine")
    PENDING = "pending", _("wartet auf Prüfung")
    APPROVED = "approved", _("freigegeben")


class Application(models.Model):
    """One citizen's application. URLs carry `public_id`; the number is for people."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    form = models.ForeignKey(ApplicationForm, on_delete=models.PROTECT, related_name="applications")
    citizen = models.ForeignKey(
        "accounts.Citizen", on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    data = models.JSONField(default=dict, blank=True)
    payment = models.OneToOneField(
        "payments.Payment", null=True, blank=True, on_delete=models.PROTECT
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_applications",
        verbose_name=_("zuständig"),
    )
    information_requested = models.BooleanField(default=False)
    # set by the handler when the case is placed (services.applications.handlers)
    review = models.CharField(max_length=10, blank=True, default="", choices=Review.choices)
    document = models.FileField(
        storage=private_storage, upload_to=private_upload_to("antraege/bescheide"), blank=True
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("Antrag")
        verbose_name_plural = _("Anträge")
        permissions = [("handle_application", _("Anträge bearbeiten (Posteingang)"))]
        constraints = [
            # one open draft per citizen and form: "save" always continues the same one
            models.UniqueConstraint(
                fields=["form", "citizen"],
                condition=models.Q(status="draft"),
                name="one_draft_per_citizen_and_form",
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.form.title}"

    @property
    def reference(self) -> str:
        return f"A-{self.created:%Y}-{self.pk:06d}" if self.pk and self.created else "A-neu"

    # how the case reads to the citizen: its handler's words (services.applications.handlers)
    @property
    def status_label(self) -> str:
        labels = handling_of(self).labels_for(self)
        label = labels.get(self.status)  # marked with gettext_noop where the handler is defined
        return gettext(label) if label else str(self.get_status_display())

    @property
    def display_title(self) -> str:
        return handling_of(self).title(self)

    @property
    def detail_url(self) -> str:
        return detail_url(self)


def upload_path(instance: ApplicationUpload, filename: str) -> str:
    """Only for migration 0001 (uploads now use kreisportal.files.private_upload_to)."""
    return f"antraege/{instance.application.public_id}/{uuid.uuid4().hex}-{filename[-80:]}"


class ApplicationUpload(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="uploads")
    field_name = models.CharField(max_length=60)
    file = models.FileField(
        storage=private_storage, upload_to=private_upload_to("antraege/dateien")
    )
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    uploaded_by_citizen = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created"]

    def __str__(self) -> str:
        return self.original_name


ACTION_LABELS = {
    "created": _("Entwurf angelegt"),
    "submitted": _("eingereicht"),
    "payment_requested": _("Zahlung angefordert"),
    "paid": _("bezahlt"),
    "taken_over": _("in Bearbeitung genommen"),
    "automation_started": _("automatische Bearbeitung begonnen"),
    "completed": _("abgeschlossen"),
    "accepted": _("bewilligt"),
    "rejected": _("abgelehnt"),
    "withdrawn": _("zurückgezogen"),
    "migrated": _("übernommen aus dem früheren Verfahren"),
    "assigned": _("zugewiesen"),
    "information_requested": _("Rückfrage gestellt"),
    "information_supplied": _("Angaben nachgereicht"),
    "refunded": _("Gebühr erstattet"),
    "payment_renewed": _("neuer Zahlungsversuch"),
    "payment_switched": _("Zahlung eingegangen"),
    "payment_refund": _("Zahlung wird erstattet"),
    "handed_over": _("an die zuständige Stelle übergeben"),
    "review_requested": _("zur Prüfung an die Sachbearbeitung"),
    "review_approved": _("von der Sachbearbeitung freigegeben"),
}


def add_action_labels(labels: dict[str, str]) -> None:
    """Words for the audit actions a plugin writes (called from its AppConfig.ready)."""
    ACTION_LABELS.update(labels)


class ApplicationEvent(models.Model):
    """The audit trail: who did what when, and the state before and after."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    actor = models.CharField(max_length=150)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    message = models.TextField(blank=True)
    visible_to_citizen = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.actor}: {self.action}"

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def to_status_label(self) -> str:
        return _status_word(self.to_status)

    @property
    def from_status_label(self) -> str:
        return _status_word(self.from_status)


def _status_word(code: str) -> str:
    """A stored state code in words ("submitted" → "eingereicht"); "" for none."""
    if not code:
        return ""
    try:
        return str(Status(code).label)
    except ValueError:  # a state this version no longer knows: shown as stored
        return code
