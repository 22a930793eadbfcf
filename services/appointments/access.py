"""The citizen's links to an appointment: a signed token naming the appointment and its secret,
one purpose per link (confirming is not cancelling). Anything else — a guessed id, a token of
another appointment, an appointment whose secret was renewed — is the same 404."""

from __future__ import annotations

from django.core import signing
from django.http import Http404
from django.utils.crypto import constant_time_compare

from kreisportal.http import parse_uuid
from services.appointments.models import Appointment, OfficeSchedule

CONFIRM = "confirm"
MANAGE = "manage"


def appointment_token(appointment: Appointment, purpose: str) -> str:
    return signing.dumps(
        [appointment.id.hex, appointment.secret], salt=f"appointments.{purpose}", compress=False
    )


def access_appointment_by_token(token: str, purpose: str) -> Appointment:
    try:
        id_hex, secret = signing.loads(token, salt=f"appointments.{purpose}")
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise Http404("Termin nicht gefunden") from exc
    pk = parse_uuid(str(id_hex))
    appointment = (
        Appointment.objects.select_related("schedule__office").filter(pk=pk).first() if pk else None
    )
    if appointment is None or not constant_time_compare(appointment.secret, str(secret)):
        raise Http404("Termin nicht gefunden")
    return appointment


def access_schedule(schedule_id: str, *, active_only: bool = True) -> OfficeSchedule:
    pk = parse_uuid(schedule_id)
    queryset = OfficeSchedule.objects.select_related("office")
    if active_only:
        queryset = queryset.filter(active=True)
    schedule = queryset.filter(pk=pk).first() if pk else None
    if schedule is None:
        raise Http404("Dienststelle nicht gefunden")
    return schedule


def access_staff_appointment(schedule: OfficeSchedule, appointment_id: str) -> Appointment:
    pk = parse_uuid(appointment_id)
    appointment = Appointment.objects.filter(pk=pk, schedule=schedule).first() if pk else None
    if appointment is None:
        raise Http404("Termin nicht gefunden")
    return appointment
