"""A slot is never given twice (issue #16): 50 citizens book the last free slot of an office at
the same moment, each over real HTTP in its own thread with its own database connection.
Exactly one gets it; the 49 others are told "leider gerade vergeben" with the next free times.

The data must be committed (other connections cannot see a test's transaction), so this test
uses no `db` fixture: it creates its office in a demo tenant and removes it afterwards."""

from __future__ import annotations

import statistics
import threading
import time as clock
from datetime import date, time, timedelta

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from services.appointments.models import (
    Appointment,
    OfficeSchedule,
    OfficeService,
    ScheduleException,
    Status,
)
from services.appointments.slots import holiday_name
from services.local.models import Office
from services.models import Service
from tenants.models import Tenant

BASE = settings.BASE_DOMAIN
ID_CARD = "99008001012000"
BOOKERS = 50


def _workday(after: date) -> date:
    day = after + timedelta(days=1)
    while day.weekday() > 4 or holiday_name(day):
        day += timedelta(days=1)
    return day


@pytest.fixture
def last_slot(django_db_setup, django_db_blocker):
    """An office with one counter, open for exactly one 15-minute slot on one day and for an
    hour on a later day (the "next free times")."""
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="wegberg")
        with tenant_context(tenant):
            office = Office.objects.create(
                name="Lasttest-Büro", street="Teststraße 1", postcode="41844", city="Wegberg"
            )
            schedule = OfficeSchedule.objects.create(office=office, counters=1, slot_minutes=5)
            OfficeService.objects.create(
                schedule=schedule, service=Service.objects.get(leika_key=ID_CARD), minutes=15
            )
            first = _workday(timezone.localdate() + timedelta(days=3))
            second = _workday(first)
            ScheduleException.objects.create(
                schedule=schedule, date=first, kind="extra", opens=time(8), closes=time(8, 15)
            )
            ScheduleException.objects.create(
                schedule=schedule, date=second, kind="extra", opens=time(9), closes=time(10)
            )
        try:
            yield tenant, schedule, first, second
        finally:
            with tenant_context(tenant):
                Appointment.objects.filter(schedule=schedule).delete()
                office.delete()


def test_fifty_concurrent_bookings_of_the_last_slot_give_it_exactly_once(
    last_slot, django_db_blocker, benchmark_report
):
    tenant, schedule, first, second = last_slot
    start = f"{first.isoformat()}T08:00"
    barrier = threading.Barrier(BOOKERS)
    results: list[tuple[int, float, str]] = [None] * BOOKERS  # type: ignore[list-item]

    def book(index: int) -> None:
        client = Client()
        try:
            barrier.wait(timeout=60)
            started = clock.perf_counter()
            response = client.post(
                f"/termine/{schedule.pk}/buchen/",
                {
                    "leistung": ID_CARD,
                    "beginn": start,
                    "name": f"Person {index}",
                    "email": f"person{index}@example.org",
                },
                HTTP_HOST=f"wegberg.{BASE}",
                REMOTE_ADDR=f"10.0.{index}.1",
            )
            results[index] = (
                response.status_code,
                clock.perf_counter() - started,
                response.content.decode(),
            )
        finally:
            connections.close_all()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=book, args=(i,)) for i in range(BOOKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        with tenant_context(tenant):
            rows = list(Appointment.objects.filter(schedule=schedule))

    statuses = [status for status, _, _ in results]
    winners = [r for r in results if r[0] == 200]
    losers = [r for r in results if r[0] == 409]
    assert len(winners) == 1, sorted(statuses)
    assert len(losers) == BOOKERS - 1, sorted(statuses)
    assert len(rows) == 1 and rows[0].status == Status.HELD
    for _, _, body in losers:
        assert "leider gerade vergeben" in body
        assert f"beginn={second.isoformat()}T09:00" in body  # the next free times offered
    latencies = sorted(seconds for _, seconds, _ in losers)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    benchmark_report(
        f"appointments: {BOOKERS} concurrent bookings of the last slot (separate connections): "
        f"winners {len(winners)}, refused {len(losers)}; losers' answer p50 "
        f"{statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
    )
