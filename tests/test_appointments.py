"""Appointments (issue #16): slot computation, the database's refusal of a double booking,
booking with double opt-in, cancel and rebook through the citizen's links, the staff day view,
limits, the API, the ICS file."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from services.appointments.models import Appointment, OfficeSchedule, OfficeService, Status
from services.appointments.slots import BERLIN
from services.local.models import Office
from services.models import Service

PASS = "99085001012000"  # Reisepass Ausstellung
ID_CARD = "99008001012000"  # Personalausweis Ausstellung


def _next_weekday(weekday: int, weeks: int = 1) -> date:
    today = datetime.now(tz=BERLIN).date()
    day = today + timedelta(days=7 * weeks)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _schedule(counters: int = 1) -> OfficeSchedule:
    office = Office.objects.create(
        name="Testbüro",
        street="Teststraße 1",
        postcode="52525",
        city="Heinsberg",
        opening_hours=[{"weekday": d, "opens": "08:00", "closes": "12:00"} for d in range(5)],
    )
    schedule = OfficeSchedule.objects.create(office=office, counters=counters, slot_minutes=5)
    for key, minutes in ((PASS, 20), (ID_CARD, 15)):
        OfficeService.objects.create(
            schedule=schedule, service=Service.objects.get(leika_key=key), minutes=minutes
        )
    return schedule


def _row(schedule, counter, starts, minutes=15, status=Status.CONFIRMED, code="AAA-AAA"):
    return Appointment.objects.create(
        schedule=schedule,
        counter=counter,
        starts=starts,
        ends=starts + timedelta(minutes=minutes),
        status=status,
        code=code,
        name="Test",
        email="t@example.org",
    )


def test_the_database_refuses_an_overlapping_appointment_on_the_same_counter(in_tenant):
    with in_tenant("erkelenz"):
        schedule = _schedule(counters=2)
        starts = datetime.combine(_next_weekday(1), time(9, 0), tzinfo=BERLIN)
        _row(schedule, 1, starts)
        with pytest.raises(IntegrityError), transaction.atomic():
            _row(schedule, 1, starts + timedelta(minutes=10), code="BBB-BBB")
        _row(schedule, 2, starts + timedelta(minutes=10), code="CCC-CCC")  # other counter
        _row(schedule, 1, starts + timedelta(minutes=15), code="DDD-DDD")  # adjacent: fine
        _row(schedule, 1, starts, status=Status.CANCELLED, code="EEE-EEE")  # released


@pytest.mark.parametrize("slug", ["kreis", "gangelt", "wegberg"])
def test_btree_gist_serves_every_tenant_schema(in_tenant, slug):
    with in_tenant(slug):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n"
                " ON n.oid = e.extnamespace WHERE e.extname = 'btree_gist'"
            )
            assert cursor.fetchone() == ("public",)
        schedule = _schedule()
        starts = datetime.combine(_next_weekday(2), time(10, 0), tzinfo=BERLIN)
        _row(schedule, 1, starts)
        with pytest.raises(IntegrityError), transaction.atomic():
            _row(schedule, 1, starts, code="BBB-BBB")
