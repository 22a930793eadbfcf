"""E-mails to citizens (German first) and the ICS file of an appointment (icalendar, with the
Europe/Berlin time zone so that calendars show the right time across a DST change)."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
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
            fee = "gebührenfrei" if here.fee_cents == 0 else euro(here.fee_cents)
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


def _send(subject: str, template: str, context: dict, to: str, attachment=None) -> None:
    message = EmailMessage(
        subject=subject,
        body=render_to_string(template, context),
        from_email=None,
        to=[to],
    )
    if attachment:
        message.attach(*attachment)
    message.send()


def send_hold_mail(appointment: Appointment, *, base_url: str, tenant_name: str) -> None:
    _send(
        f"Bitte bestätigen Sie Ihren Termin – {tenant_name}",
        "appointments/mail/hold.txt",
        {
            "appointment": appointment,
            "office": appointment.schedule.office,
            "tenant_name": tenant_name,
            "confirm_url": confirm_url(appointment, base_url),
        },
        appointment.email,
    )


def send_confirmation_mail(
    appointment: Appointment, *, base_url: str, tenant_name: str, rebooked: bool = False
) -> None:
    _send(
        f"Ihr Termin ist {'verschoben' if rebooked else 'bestätigt'}: {appointment.code} – "
        f"{tenant_name}",
        "appointments/mail/confirmed.txt",
        {
            "appointment": appointment,
            "office": appointment.schedule.office,
            "tenant_name": tenant_name,
            "manage_url": manage_url(appointment, base_url),
            "bring": what_to_bring(appointment),
            "rebooked": rebooked,
        },
        appointment.email,
        attachment=(
            f"termin-{appointment.code}.ics",
            ics_bytes(appointment, tenant_name=tenant_name, base_url=base_url),
            "text/calendar",
        ),
    )


def send_cancel_mail(
    appointment: Appointment, *, base_url: str, tenant_name: str, by_office: bool
) -> None:
    _send(
        f"Ihr Termin {appointment.code} wurde abgesagt – {tenant_name}",
        "appointments/mail/cancelled.txt",
        {
            "appointment": appointment,
            "office": appointment.schedule.office,
            "tenant_name": tenant_name,
            "by_office": by_office,
            "rebook_url": base_url
            + reverse("appointments:start")
            + "?"
            + "&".join(f"leistung={item['key']}" for item in appointment.services)
            + f"&dienststelle={appointment.schedule_id}",
        },
        appointment.email,
    )


def send_reminder_mail(appointment: Appointment, *, base_url: str, tenant_name: str) -> None:
    _send(
        f"Erinnerung: Ihr Termin morgen – {tenant_name}",
        "appointments/mail/reminder.txt",
        {
            "appointment": appointment,
            "office": appointment.schedule.office,
            "tenant_name": tenant_name,
            "manage_url": manage_url(appointment, base_url),
            "bring": what_to_bring(appointment),
        },
        appointment.email,
    )
