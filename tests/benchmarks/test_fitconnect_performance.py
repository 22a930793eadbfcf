"""FIT-Connect: one delivery with a 5 MB attachment (receipt PDF, JWE of data, metadata and
attachments, announce, uploads, submit) against the local fake on loopback, and how many
events of the event log are read and verified per minute."""

from __future__ import annotations

import os
import statistics
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kreisportal.celery import app
from services.accounts.actions import do_sign_in_citizen
from services.applications.actions import do_save_draft, do_submit
from services.applications.models import ApplicationForm
from services.fitconnect import crypto
from services.fitconnect.actions import do_attempt, do_poll
from services.fitconnect.models import Delivery, Environment, FitConnectSettings, FormDestination
from tests.support.fitconnect_fake import FakeFitConnect, cached_key

pytestmark = pytest.mark.benchmark
RUNS = 20
FIVE_MB = os.urandom(5 * 1024 * 1024)


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(int(q * len(ordered)) - 1, 0)]


def test_submission_with_5_mb_attachment_and_events_per_minute(
    in_tenant, settings, benchmark_report
):
    fake = FakeFitConnect()
    fake.validate = False  # the receiving side's decryption is not the sender's time
    fake.start()
    settings.FITCONNECT_TOKEN_URL = f"{fake.base}/token"
    settings.FITCONNECT_SUBMISSION_API = fake.base
    settings.FITCONNECT_CLIENT_ID, settings.FITCONNECT_CLIENT_SECRET = (
        fake.client_id,
        fake.client_secret,
    )
    app.conf.task_always_eager = False
    try:
        with in_tenant("erkelenz"):
            config = FitConnectSettings.load()
            config.environment = Environment.TEST
            config.save()
            form = ApplicationForm.objects.get(slug="hund-anmelden")
            form.handling, form.fee_cents = "fitconnect", 0
            form.save()
            FormDestination.objects.create(
                form=form, mode="fixed", destination_id=fake.destination_id, authority_name="X"
            )
            key = cached_key("dest-enc-1", "enc")
            started = time.perf_counter()
            for _ in range(5):
                crypto.encrypt(FIVE_MB, key)
            encrypt_ms = (time.perf_counter() - started) * 1000 / 5
            samples, deliveries = [], []
            for index in range(RUNS):
                citizen = do_sign_in_citizen(
                    identity={"pseudonym": f"bench-fit-{index}", "level": "substantial"}
                )
                draft = do_save_draft(
                    form=form,
                    citizen=citizen,
                    values={},
                    uploads={"plan": SimpleUploadedFile("plan.pdf", FIVE_MB)},
                )
                application = do_submit(application=draft)  # the attempt task is not run here
                delivery = Delivery.objects.get(application=application)
                started = time.perf_counter()
                done = do_attempt(delivery_id=str(delivery.public_id))
                samples.append((time.perf_counter() - started) * 1000)
                assert done.state == Delivery.State.SUBMITTED, done.last_error
                deliveries.append(done)
            for delivery in deliveries:
                fake.event(delivery.submission_id, "accept-submission")
            started = time.perf_counter()
            events = sum(do_poll(delivery=d) for d in deliveries)
            per_minute = events / (time.perf_counter() - started) * 60
    finally:
        fake.stop()
    benchmark_report(
        f"FIT-Connect delivery with a 5 MB attachment (receipt PDF + JWE RSA-OAEP-256/A256GCM "
        f"+ announce/upload/submit over loopback, {RUNS} runs): p50 "
        f"{statistics.median(samples):.0f} ms | p95 {_p(samples, 0.95):.0f} ms | "
        f"encrypting 5 MB alone {encrypt_ms:.0f} ms | event log: {events} events read and "
        f"verified at {per_minute:.0f} events/min"
    )
