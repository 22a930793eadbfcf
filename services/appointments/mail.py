"""E-mails to citizens (in the language they booked in, German first) and the ICS file of an
appointment (icalendar, with the Europe/Berlin time zone so that calendars show the right time
across a DST change)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vText

from payments.amounts import euro
from services.appointments.access import CONFIRM, MANAGE, appointment_token
from services.appointments.models import Appointment
from services.appointments.slots import BERLIN
from services.local.models import LocalService
from services.models import Service
from tenants.models import Domain


def portal_base_url() -> str:
    """This tenant's address, with the scheme and port of the public URL (for tasks, which
    have no request)."""
    public = urlsplit(settings.PUBLIC_URL)
    domain = (
        Domain.objects.filter(tenant__schema_name=connection.schema_name, is_primary=True)
        .values_list("domain", flat=True)
        .first()
    )
    port = f":{public.port}" if public.port else ""
    return f"{public.scheme}://{domain}{port}"


def confirm_url(appointment: Appointment, base_url: str) -> str:
    token = appointment_token(appointment, CONFIRM)
    return base_url + reverse("appointments:confirm", args=[token])


def manage_url(appointment: Appointment, base_url: str) -> str:
    token = appointment_token(appointment, MANAGE)
    return base_url + reverse("appointments:manage", args=[token])


def what_to_bring(appointment: Appointment) -> list[dict]:
    """Per booked service: documents and fees from the catalogue and the local part."""
    keys = [item["key"] for item in appointment.services]
    services = {s.leika_key: s for s in Service.objects.filter(leika_key__in=keys)}
    local = {
        row.service.leika_key: row
        for row in LocalService.objects.filter(service__leika_key__in=keys).select_related(
            "service"
        )
    }
    result = []
    for key in keys:
        service, here = services.get(key), local.get(key)
        if service is None:
            continue
        documents = list(service.documents or [])
        if here and here.local_documents:
            documents.append(here.local_documents)
        fee = ""
        if here and here.fee_cents is not None:
            fee = _("gebührenfrei") if here.fee_cents == 0 else euro(here.fee_cents)
        elif service.fees:
            fee = service.fees
        result.append({"name": service.name, "documents": documents, "fee": fee})
    return result


def _berlin_timezone() -> Timezone:
    """VTIMEZONE for Europe/Berlin (CET/CEST, EU rules since 1996)."""
    tz = Timezone()
    tz.add("tzid", "Europe/Berlin")
    standard = TimezoneStandard()
    standard.add("dtstart", datetime(1970, 10, 25, 3, 0, 0))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    standard.add("tzoffsetfrom", timedelta(hours=2))
    standard.add("tzoffsetto", timedelta(hours=1))
    standard.add("tzname", "CET")
    daylight = TimezoneDaylight()
    daylight.add("dtstart", datetime(1970, 3, 29, 2, 0, 0))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    daylight.add("tzoffsetfrom", timedelta(hours=1))
    daylight.add("tzoffsetto", timedelta(hours=2))
    daylight.add("tzname", "CEST")
    tz.add_component(standard)
    tz.add_component(daylight)
    return tz


def ics_bytes(appointment: Appointment, *, tenant_name: str, base_url: str = "") -> bytes:
    office = appointment.schedule.office
    cal = Calendar()
    cal.add("prodid", "-//Kreisportal//Terminvergabe//DE")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add_component(_berlin_timezone())
    event = Event()
    event.add("uid", f"{appointment.id}@kreisportal")
    event.add("dtstamp", appointment.created or datetime.now(tz=BERLIN))
    event.add("dtstart", appointment.starts.astimezone(BERLIN))
    event.add("dtend", appointment.ends.astimezone(BERLIN))
    event.add("summary", f"Termin {office.name} ({tenant_name}): {appointment.service_names}")
    event["location"] = vText(f"{office.name}, {office.address}")
    description = f"Buchungscode: {appointment.code}"
    if base_url:
        description += (
            f"\nTermin ansehen, verschieben oder absagen: {manage_url(appointment, base_url)}"
        )
    event.add("description", description)
    cal.add_component(event)
    return cal.to_ical()


def mail_language(code: str) -> str:
    """One of the portal's languages for a citizen's e-mails; German when unknown."""
    code = (code or "").split("-")[0].lower()
    return code if code in {c for c, _ in settings.LANGUAGES} else settings.LANGUAGE_CODE


# "Dienstag, 1. Dezember 2026, 09:30 Uhr"; day and month names come from Django's catalogue
WHEN_FORMATS = {"de": r"l, j. F Y, H:i \U\h\r", "en": "l, j F Y, H:i", "nl": r"l j F Y, H:i \u\u\r"}


def when(appointment: Appointment) -> str:
    """The appointment's start in the active language, in Berlin time."""
    language = mail_language(translation.get_language())
    return dateformat.format(appointment.starts.astimezone(BERLIN), WHEN_FORMATS[language])


def in_booking_language(send: Callable[..., None]) -> Callable[..., None]:
    """Run a sender (subject, body, dates) in the language the citizen booked in, whatever the
    language of the request or task that sends it; German when none is known."""

    @wraps(send)
    def wrapper(appointment: Appointment, **kwargs) -> None:
        with translation.override(mail_language(appointment.language)):
            send(appointment, **kwargs)

    return wrapper


def _send(appointment: Appointment, subject, template: str, context: dict, attachment=None) -> None:
    message = EmailMessage(
        subject=str(subject),
        body=render_to_string(
            template,
            {
                **context,
                "appointment": appointment,
                "office": appointment.schedule.office,
                "when": when(appointment),
            },
        ),
        from_email=None,
        to=[appointment.email],
        headers={"Content-Language": translation.get_language()},
    )
    if attachment:
        message.attach(*attachment)
    message.send()


@in_booking_language
def send_hold_mail(appointment: Appointment, *, base_url: str, tenant_name: str) -> None:
    _send(
        appointment,
        _("Bitte bestätigen Sie Ihren Termin – %(tenant)s") % {"tenant": tenant_name},
        "appointments/mail/hold.txt",
        {"tenant_name": tenant_name, "confirm_url": confirm_url(appointment, base_url)},
    )


@in_booking_language
def send_confirmation_mail(
    appointment: Appointment, *, base_url: str, tenant_name: str, rebooked: bool = False
) -> None:
    names = {"code": appointment.code, "tenant": tenant_name}
    if rebooked:
        subject = _("Ihr Termin ist verschoben: %(code)s – %(tenant)s") % names
    else:
        subject = _("Ihr Termin ist bestätigt: %(code)s – %(tenant)s") % names
    _send(
        appointment,
        subject,
        "appointments/mail/confirmed.txt",
        {
            "tenant_name": tenant_name,
            "manage_url": manage_url(appointment, base_url),
            "bring": what_to_bring(appointment),
            "rebooked": rebooked,
        },
        attachment=(
            f"termin-{appointment.code}.ics",
            ics_bytes(appointment, tenant_name=tenant_name, base_url=base_url),
            "text/calendar",
        ),
    )


@in_booking_language
def send_cancel_mail(
    appointment: Appointment, *, base_url: str, tenant_name: str, by_office: bool
) -> None:
    _send(
        appointment,
        _("Ihr Termin %(code)s wurde abgesagt – %(tenant)s")
        % {"code": appointment.code, "tenant": tenant_name},
        "appointments/mail/cancelled.txt",
        {
            "tenant_name": tenant_name,
            "by_office": by_office,
            "rebook_url": base_url
            + reverse("appointments:start")
            + "?"
            + "&".join(f"leistung={item['key']}" for item in appointment.services)
            + f"&dienststelle={appointment.schedule_id}",
        },
    )


@in_booking_language
def send_reminder_mail(appointment: Appointment, *, base_url: str, tenant_name: str) -> None:
    _send(
        appointment,
        _("Erinnerung: Ihr Termin morgen – %(tenant)s") % {"tenant": tenant_name},
        "appointments/mail/reminder.txt",
        {
            "tenant_name": tenant_name,
            "manage_url": manage_url(appointment, base_url),
            "bring": what_to_bring(appointment),
        },
    )
