"""Catalogue performance: search and finder latency, import time. Prints figures only."""

from __future__ import annotations

import statistics
import time

import pytest
from django.conf import settings
from django.db import connection

from services.catalogue_import import import_catalogue
from services.finder import find_responsible
from services.models import Service
from services.search import search_services
from tenants.models import Tenant

pytestmark = pytest.mark.benchmark

CITIZEN_QUERIES = [
    "Personalausweis",
    "Perso",
    "Persoalausweis",
    "Reisepass",
    "Pass verloren",
    "Umzug",
    "ummelden",
    "Wohnsitz anmelden",
    "Meldebescheinigung",
    "Meldebestätigung",
    "Hundesteuer",
    "Hunde",
    "Hund anmelden",
    "Gewerbeanmeldung",
    "Gewerbeanmeldnug",
    "Gewerbe abmelden",
    "Auto anmelden",
    "Kfz Zulassung",
    "Auto abmelden",
    "Nummernschild",
    "Führerschein",
    "Führerschein verloren",
    "Fuhrerschein",
    "internationaler Führerschein",
    "Baugenehmigung",
    "Bauantrag",
    "Bauvorbescheid",
    "Flurkarte",
    "Liegenschaftskarte",
    "Grundstück Auszug",
    "Geburtsurkunde",
    "Eheurkunde",
    "Heiraten",
    "Sterbeurkunde",
    "Anwohnerparken",
    "Bewohnerparkausweis",
    "Sperrmüll",
    "Sperrmüll abholen",
    "Führungszeugnis",
    "polizeiliches Führungszeugnis",
    "Wohngeld",
    "Mietzuschuss",
    "Elterngeld",
    "Kindergeld",
    "Kita Platz",
    "Schwerbehindertenausweis",
    "Briefwahl",
    "Wahlschein",
    "Fundbüro",
    "Fundsachen",
    "Baum fällen",
    "Grundsteuer",
    "Einbürgerung",
    "Beglaubigung",
    "Kirchenaustritt",
    "Fischereischein",
    "Jagdschein",
    "Halteverbot Umzug",
    "Hochzeit",
    "Aufenthaltstitel",
]


def _percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
    return statistics.median(ordered), p95


def test_search_latency(in_tenant, client, benchmark_report):
    assert len(CITIZEN_QUERIES) >= 50
    with in_tenant("erkelenz"):
        for query in CITIZEN_QUERIES:  # warm caches once
            search_services(query)
        samples = []
        for _ in range(3):
            for query in CITIZEN_QUERIES:
                started = time.perf_counter()
                search_services(query)
                samples.append((time.perf_counter() - started) * 1000)
    p50, p95 = _percentiles(samples)
    http = []
    for query in CITIZEN_QUERIES:
        started = time.perf_counter()
        response = client.get(
            "/api/v1/services/", {"q": query}, HTTP_HOST=f"erkelenz.{settings.BASE_DOMAIN}"
        )
        http.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    h50, h95 = _percentiles(http)
    benchmark_report(
        f"search, {len(CITIZEN_QUERIES)} citizen queries × 3, {Service.objects.count()} services, "
        f"{Tenant.objects.portals().count()} tenants: p50 {p50:.1f} ms | p95 {p95:.1f} ms "
        f"(target p95 < 30 ms) | API request p50 {h50:.1f} ms p95 {h95:.1f} ms"
    )


def test_finder_latency(db, client, benchmark_report):
    municipalities = list(Tenant.objects.filter(kind=Tenant.Kind.MUNICIPALITY))
    keys = [
        "99008001012000",
        "99036008007000",
        "99012008001000",
        "99102013002000",
        "99050012104000",
    ]
    services = list(Service.objects.filter(leika_key__in=keys))
    samples, http = [], []
    for _ in range(3):
        for municipality in municipalities:
            for service in services:
                started = time.perf_counter()
                find_responsible(service=service, municipality=municipality)
                samples.append((time.perf_counter() - started) * 1000)
    for municipality in municipalities:
        for service in services:
            started = time.perf_counter()
            response = client.get(
                "/api/v1/finder/",
                {"service": service.leika_key, "municipality": municipality.slug},
                HTTP_HOST=settings.BASE_DOMAIN,
            )
            http.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    p50, p95 = _percentiles(samples)
    h50, h95 = _percentiles(http)
    benchmark_report(
        f"finder ({len(samples)} answers from the read model): p50 {p50:.1f} ms | p95 {p95:.1f} ms "
        f"(target p95 < 50 ms) | API request p50 {h50:.1f} ms p95 {h95:.1f} ms"
    )


def test_import_time(db, benchmark_report):
    started = time.perf_counter()
    report = import_catalogue()
    unchanged_s = time.perf_counter() - started
    assert report.unchanged == 4813
    # a first import: empty the catalogue (and, by cascade, every tenant's local rows) inside
    # this test's transaction, which is rolled back afterwards
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE services_service CASCADE")
    started = time.perf_counter()
    report = import_catalogue()
    full_s = time.perf_counter() - started
    assert report.added == 4813
    benchmark_report(
        f"catalogue import of 4,813 services: first import {full_s:.2f} s | "
        f"re-import with nothing to do {unchanged_s:.2f} s"
    )
