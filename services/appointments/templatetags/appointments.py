"""Template tags: the "Termin vereinbaren" link of a service page or an office, and a
citizen's personal link to an appointment (Mein Konto)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from services.appointments.access import MANAGE, appointment_token
from services.appointments.models import Appointment, OfficeSchedule, OfficeService
from services.appointments.selectors import citizen_appointments

register = template.Library()


@register.simple_tag
def service_booking_url(leika_key: str) -> str:
    """The booking flow for this service when an office of this portal offers it, else ''."""
    if not OfficeService.objects.filter(
        service__leika_key=leika_key, schedule__active=True
    ).exists():
        return ""
    return f"{reverse('appointments:start')}?{urlencode({'leistung': leika_key})}"


@register.simple_tag
def office_booking_url(office) -> str:
    """The booking flow of this office when it gives appointments, else ''."""
    schedule = OfficeSchedule.objects.filter(office=office, active=True).only("pk").first()
    if schedule is None:
        return ""
    return f"{reverse('appointments:start')}?{urlencode({'dienststelle': str(schedule.pk)})}"


@register.simple_tag
def appointment_manage_url(appointment: Appointment) -> str:
    return reverse("appointments:manage", args=[appointment_token(appointment, MANAGE)])


@register.inclusion_tag("appointments/account_section.html")
def my_appointments(citizen) -> dict:
    """Mein Konto: the signed-in citizen's current and future appointments."""
    return {"appointments": citizen_appointments(citizen) if citizen is not None else []}
