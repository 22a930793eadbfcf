"""Free-slot search (issue #16): one service over 60 days at 8 offices, each about half booked
(the demo's mix). Prints figures; asserts the query count of a calendar page, not timings."""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from services.appointments import selectors
from services.appointments.demo import booked_rows
from services.appointments.models import Appointment, OfficeSchedule, OfficeService
from services.appointments.slots import days_between, free_starts
from services.local.models import Office
from services.models import Service

pytestmark = pytest.mark.benchmark

ID_CARD = "99008001012000"
OFFICES = 8
DAYS = 60
RUNS = 20


def _offices() -> list[OfficeSchedule]:
    service = Service.objects.get(leika_key=ID_CARD)
    rng = random.Random("benchmark")
    schedules = []
    for index in range(OFFICES):
        office = Office.objects.create(
            name=f"Benchmark-Büro {index}",
            street="Teststraße 1",
            postcode="41812",
            city="Erkelenz",
            opening_hours=[{"weekday": d, "opens": "08:00", "closes": "12:30"} for d in range(5)]
            + [{"weekday": 1, "opens": "14:00", "closes": "18:00"}],
        )
        schedule = OfficeSchedule.objects.create(office=office, counters=3, slot_minutes=5)
        OfficeService.objects.create(schedule=schedule, service=service, minutes=15)
        Appointment.objects.bulk_create(
            booked_rows(schedule, [(service, 15)], rng, DAYS), batch_size=2000
        )
        schedules.append(schedule)
    return schedules


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))]


def test_free_slot_search_over_60_days_at_8_offices(
    in_tenant, benchmark_report, django_assert_max_num_queries
):
    with in_tenant("erkelenz"):
        schedules = _offices()
        booked = Appointment.objects.filter(schedule__in=schedules).count()
        today = timezone.localdate()
        last = today + timedelta(days=DAYS)
        days_timings, all_timings = [], []
        for _ in range(RUNS):
            started = time.perf_counter()
            found = [
                selectors.days_with_free_slots(schedule, 15, today, last) for schedule in schedules
            ]
            days_timings.append(time.perf_counter() - started)
            started = time.perf_counter()
            slots = 0
            for schedule in schedules:
                earliest, _ = selectors.booking_window(schedule)
                cal = selectors.load_calendar(schedule, today, last)
                for day in days_between(today, last):
                    slots += len(free_starts(cal, day, 15, earliest=earliest))
            all_timings.append(time.perf_counter() - started)
        assert all(found) and slots > 0
        with django_assert_max_num_queries(15) as captured:
            page = Client().get(
                f"/termine/{schedules[0].pk}/",
                {"leistung": ID_CARD},
                HTTP_HOST=f"erkelenz.{settings.BASE_DOMAIN}",
            )
        assert page.status_code == 200
        # the month's slots: schedule, services, exceptions, busy intervals (one UNION) —
        # however many days and bookings; the rest is the portal's frame (site, branding, menu)
        own = [q for q in captured.captured_queries if "appointments_" in q["sql"]]
        assert len(own) == 4, [q["sql"][:80] for q in own]
    benchmark_report(
        f"appointments: days with free slots, 1 service × {DAYS} days × {OFFICES} offices "
        f"({booked} booked): p50 {statistics.median(days_timings) * 1000:.1f} ms, "
        f"p95 {_p95(days_timings) * 1000:.1f} ms over {RUNS} runs"
    )
    benchmark_report(
        f"appointments: every free slot (as the API lists them), same range: {slots} slots, "
        f"p50 {statistics.median(all_timings) * 1000:.1f} ms, "
        f"p95 {_p95(all_timings) * 1000:.1f} ms"
    )
    benchmark_report(
        f"appointments: calendar page {len(captured)} queries ({len(own)} for the slots)"
    )
