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
from services.local.models import Office
from services.models import Service

pytestmark = pytest.mark.benchmark

ID_CARD = "99008001012000"
OFFICES = 8
DAYS = 59  # today and the next 59 days: 60 days, the API's range
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
        days_timings, all_timings, api_timings = [], [], []
        client = Client(HTTP_HOST=f"erkelenz.{settings.BASE_DOMAIN}")
        query = {"service": ID_CARD, "from": today.isoformat(), "to": last.isoformat()}
        for _ in range(RUNS):
            started = time.perf_counter()
            found = [
                selectors.days_with_free_slots(schedule, 15, today, last) for schedule in schedules
            ]
            days_timings.append(time.perf_counter() - started)
            started = time.perf_counter()
            offices = selectors.free_slots_at_offices(schedules, ID_CARD, today, last)
            all_timings.append(time.perf_counter() - started)
            started = time.perf_counter()
            answer = client.get("/api/v1/appointments/slots/", query)
            api_timings.append(time.perf_counter() - started)
        slots = sum(len(office.starts) for office in offices)
        assert all(found) and slots > 0 and answer.status_code == 200
        with django_assert_max_num_queries(20) as captured:
            page = Client().get(
                f"/termine/{schedules[0].pk}/",
                {"leistung": ID_CARD},
                HTTP_HOST=f"erkelenz.{settings.BASE_DOMAIN}",
            )
        assert page.status_code == 200
        # the month's slots: schedule, services, exceptions, busy intervals (one UNION) —
        # however many days and bookings; the rest is the portal's frame (site, branding, menu,
        # portal list and easy-read links, read once per process after a purge)
        own = [q for q in captured.captured_queries if "appointments_" in q["sql"]]
        assert len(own) == 4, [q["sql"][:80] for q in own]
    benchmark_report(
        f"appointments: days with free slots, 1 service × {DAYS + 1} days × {OFFICES} offices "
        f"({booked} booked): p50 {statistics.median(days_timings) * 1000:.1f} ms, "
        f"p95 {_p95(days_timings) * 1000:.1f} ms over {RUNS} runs"
    )
    benchmark_report(
        f"appointments: every free slot at the {OFFICES} offices (one selector call, "
        f"4 queries): {slots} slots, p50 {statistics.median(all_timings) * 1000:.1f} ms, "
        f"p95 {_p95(all_timings) * 1000:.1f} ms"
    )
    benchmark_report(
        f"appointments: GET /api/v1/appointments/slots/ over those 60 days (the 8 offices and "
        f"Erkelenz's Bürgerbüro), server-side through the whole stack: "
        f"p50 {statistics.median(api_timings) * 1000:.1f} ms, "
        f"p95 {_p95(api_timings) * 1000:.1f} ms"
    )
    benchmark_report(
        f"appointments: calendar page {len(captured)} queries ({len(own)} for the slots)"
    )
