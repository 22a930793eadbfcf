"""FIT-Connect: an application goes to its back office (Submission API v2, against a local fake
on loopback that decrypts with the destination's private key and validates the metadata), the
event log's answers reach the application, retries lose nothing, the HMAC callback, the
Sandbox-Fachverfahren and the ZBP."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from kreisportal.celery import app
from services.accounts.actions import do_sign_in_citizen
from services.applications.actions import do_save_draft, do_submit
from services.applications.handlers import handlers
from services.applications.models import Application, ApplicationEvent, ApplicationForm, Status
from services.fitconnect import crypto, sandbox, zbp
from services.fitconnect.actions import (
    ACCEPTED_ACTION,
    FAILED_ACTION,
    backoff,
    do_attempt,
    do_retry,
)
from services.fitconnect.models import (
    Delivery,
    DeliveryEvent,
    Environment,
    FitConnectSettings,
    FormDestination,
    SandboxSubmission,
)
from services.fitconnect.tasks import poll
from services.postbox.models import PostboxMessage
from tests.support.fitconnect_fake import FakeFitConnect, cached_key

BASE = settings.BASE_DOMAIN
PDF = b"%PDF-1.4\n%fitconnect test\n" + b"1" * 500


@pytest.fixture
def eager_tasks():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def fake(settings):
    fake = FakeFitConnect()
    fake.start()
    settings.FITCONNECT_TOKEN_URL = f"{fake.base}/token"
    settings.FITCONNECT_SUBMISSION_API = fake.base
    settings.FITCONNECT_ROUTING_API = f"{fake.base}/routing"
    settings.FITCONNECT_PORTAL_JWKS = f"{fake.base}/portal/jwks.json"
    settings.FITCONNECT_CLIENT_ID = fake.client_id
    settings.FITCONNECT_CLIENT_SECRET = fake.client_secret
    yield fake
    fake.stop()


def _form(*, environment: str, mode: str | None = FormDestination.Mode.FIXED, fake=None):
    config = FitConnectSettings.load()
    config.environment = environment
    config.save()
    form = ApplicationForm.objects.get(slug="hund-anmelden")
    form.handling = "fitconnect"
    form.fee_cents = 0
    form.save()
    if mode is not None:
        FormDestination.objects.create(
            form=form,
            mode=mode,
            destination_id=fake.destination_id if mode == FormDestination.Mode.FIXED else None,
            authority_name="Ordnungsamt Musterstadt",
        )
    return form


def _citizen(name: str = "fit", mailbox_handle: str = ""):
    return do_sign_in_citizen(
        identity={
            "mailbox_handle": mailbox_handle,  # BundID 2.5.4.18, only with a BundID login
            "pseudonym": f"bpk2-{name}",
            "given_name": "Erika",
            "family_name": "Mustermann",
            "email": "erika@example.org",
            "level": "substantial",
        }
    )


def _submit(form, citizen, capture) -> Application:
    with capture(execute=True):
        draft = do_save_draft(
            form=form,
            citizen=citizen,
            values={"rasse_oder_mischung": "Dackel", "wurfdatum_des_hundes": "2024-05-01"},
            uploads={"nachweis": SimpleUploadedFile("impfpass.pdf", PDF)},
        )
        return do_submit(application=draft)


def _delivery(application) -> Delivery:
    return Delivery.objects.get(application=application, kind=Delivery.Kind.APPLICATION)


# --- crypto and metadata, without a server ------------------------------------------------------


def test_key_checks_refuse_what_fit_connect_does_not_allow():
    key = cached_key("dest-enc-1", "enc")
    public = crypto.public_jwk(key)
    assert crypto.check_encryption_key(public, kid=key.key_id).key_id == key.key_id
    with pytest.raises(crypto.KeyRefused, match="Schlüssel-ID"):
        crypto.check_encryption_key(public, kid="another")
    with pytest.raises(crypto.KeyRefused, match="wrapKey"):
        crypto.check_encryption_key({**public, "key_ops": ["verify"]})
    with pytest.raises(crypto.KeyRefused, match="Algorithmus"):
        crypto.check_encryption_key({**public, "alg": "RSA1_5"})
    with pytest.raises(crypto.KeyRefused, match="privater"):
        crypto.check_encryption_key({**key.export(as_dict=True), "key_ops": ["wrapKey"]})
    small = crypto.jwk.JWK.generate(kty="RSA", size=2048, kid="small", alg="RSA-OAEP-256")
    with pytest.raises(crypto.KeyRefused, match="4096"):
        crypto.check_encryption_key(crypto.public_jwk(small))
    token = crypto.encrypt(b"geheim", crypto.check_encryption_key(public))
    header = crypto.jwe_header(token)
    assert header == {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": key.key_id}
    assert crypto.decrypt(token, key) == b"geheim"


# --- the sender against the fake Submission API -------------------------------------------------


def test_happy_path_delivers_encrypted_data_and_attachments_and_accept_moves_the_application(
    in_tenant, fake, eager_tasks, django_capture_on_commit_callbacks
):
    with in_tenant("erkelenz"):
        form = _form(environment=Environment.TEST, fake=fake)
        application = _submit(form, _citizen(), django_capture_on_commit_callbacks)
        delivery = _delivery(application)
        assert delivery.state == Delivery.State.SUBMITTED, delivery.last_error
        assert len(fake.submissions) == 1
        received = fake.submissions[delivery.submission_id]
        assert received["status"] == "submitted"
        assert received["kids"] == {fake.current_kid}
        assert received["publicService"]["identifier"] == "urn:de:fim:leika:leistung:99102013000000"
        assert received["data"]["antrag"]["referenz"] == application.reference
        assert received["data"]["antragsteller"]["nachname"] == "Mustermann"
        structure = received["metadata"]["contentStructure"]
        purposes = {a["filename"]: a["purpose"] for a in structure["attachments"]}
        assert purposes == {
            f"antrag-{application.reference}.pdf": "form",
            "impfpass.pdf": "attachment",
        }
        contents = [received["decrypted"][a["attachmentId"]] for a in structure["attachments"]]
        assert PDF in contents and all(c.startswith(b"%PDF") for c in contents)
        assert received["metadata"]["replyChannel"] == {"eMail": {"address": "erika@example.org"}}
        assert fake.token_requests == 1  # one token for all calls of the attempt

        fake.event(delivery.submission_id, "accept-submission")
        counts = poll()
        assert counts["events"] == 2  # submit (by the service) and accept (by the destination)
        application.refresh_from_db()
        assert application.status == Status.IN_PROGRESS
        accepted = application.events.get(action=ACCEPTED_ACTION)
        assert accepted.message == "In Bearbeitung bei Ordnungsamt Musterstadt."
        assert accepted.visible_to_citizen
        assert poll()["events"] == 0  # an event is applied once
        assert _delivery(application).state == Delivery.State.ACCEPTED


def test_rotated_key_is_used_and_a_key_under_a_wrong_kid_is_refused(
    in_tenant, fake, eager_tasks, django_capture_on_commit_callbacks
):
    with in_tenant("erkelenz"):
        form = _form(environment=Environment.TEST, fake=fake)
        first = _submit(form, _citizen("a"), django_capture_on_commit_callbacks)
        old_kid = fake.current_kid
        fake.rotate()
        second = _submit(form, _citizen("b"), django_capture_on_commit_callbacks)
        assert _delivery(first).key_id == old_kid
        assert _delivery(second).key_id == fake.current_kid != old_kid
        assert fake.submissions[_delivery(second).submission_id]["kids"] == {fake.current_kid}

        fake.published_kid_override = "not-the-announced-kid"
        third = _submit(form, _citizen("c"), django_capture_on_commit_callbacks)
        delivery = _delivery(third)
        assert delivery.state == Delivery.State.FAILED
        assert "Schlüssel-ID" in delivery.last_error
        assert len(fake.submissions) == 2  # nothing was announced for the third
        staff_note = third.events.get(action=FAILED_ACTION)
        assert not staff_note.visible_to_citizen and "Schlüssel-ID" in staff_note.message


def test_routing_finds_the_signed_destination_and_refuses_an_invalid_signature(
    in_tenant, fake, eager_tasks, django_capture_on_commit_callbacks
):
    with in_tenant("erkelenz"):
        form = _form(environment=Environment.TEST, mode=FormDestination.Mode.ROUTING, fake=fake)
        config = FitConnectSettings.load()
        config.ars = "053700012012"
        config.save()
        fake.add_route(leika_key="99102013000000", area="05370")  # the district's area covers it
        routed = _submit(form, _citizen("r"), django_capture_on_commit_callbacks)
        delivery = _delivery(routed)
        assert delivery.state == Delivery.State.SUBMITTED, delivery.last_error
        assert delivery.destination_id == fake.destination_id
        assert delivery.authority_name == "Ordnungsamt Musterstadt"

        fake.routes.clear()
        fake.add_route(
            leika_key="99102013000000", area="05370", signed_by=cached_key("forger", "sig")
        )
        forged = _submit(form, _citizen("s"), django_capture_on_commit_callbacks)
        assert _delivery(forged).state == Delivery.State.FAILED
        assert "Schlüssel-ID" in _delivery(forged).last_error  # signed by a key the portal lacks

        fake.routes.clear()
        fake.add_route(leika_key="99999999999999", area="05370")  # signed, but for another service
        other = _submit(form, _citizen("t"), django_capture_on_commit_callbacks)
        assert _delivery(other).state == Delivery.State.FAILED
        assert "Leistung und Gebiet" in _delivery(other).last_error
        assert len(fake.submissions) == 1


def test_api_down_loses_nothing_and_the_retry_delivers_once(
    in_tenant, fake, eager_tasks, django_capture_on_commit_callbacks
):
    with in_tenant("erkelenz"):
        form = _form(environment=Environment.TEST, fake=fake)
        fake.stop()
        application = _submit(form, _citizen("d"), django_capture_on_commit_callbacks)
        application.refresh_from_db()
        assert application.status == Status.SUBMITTED  # the citizen's submission stands
        delivery = _delivery(application)
        assert delivery.state == Delivery.State.PENDING
        assert delivery.attempts == 1 and "ConnectionError" in delivery.last_error
        assert delivery.next_attempt_at > timezone.now()
        assert poll()["attempted"] == 0  # not due yet (backoff)

        fake.start()  # the same port again
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        assert poll()["attempted"] == 1
        delivery.refresh_from_db()
        assert delivery.state == Delivery.State.SUBMITTED and delivery.attempts == 2
        assert len(fake.submissions) == 1


def test_a_delivery_that_keeps_failing_is_failed_for_staff_and_retried_on_request(
    in_tenant, fake, eager_tasks, django_capture_on_commit_callbacks
):
    with in_tenant("erkelenz"):
        form = _form(environment=Environment.TEST, fake=fake)
        fake.stop()
        application = _submit(form, _citizen("f"), django_capture_on_commit_callbacks)
        delivery = _delivery(application)
        for _ in range(12):
            Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
            do_attempt(delivery_id=str(delivery.public_id))
        delivery.refresh_from_db()
        assert delivery.state == Delivery.State.FAILED and delivery.attempts == 10
        assert "nach 10 Versuchen" in delivery.last_error
        fake.start()
        with django_capture_on_commit_callbacks(execute=True):
            do_retry(delivery=delivery)
        delivery.refresh_from_db()
        assert delivery.state == Delivery.State.SUBMITTED
        assert list(application.events.values_list("action", flat=True)).count(FAILED_ACTION) == 1


def test_duplicate_starts_and_a_lost_answer_submit_once(
    in_tenant, fake, eager_tasks, django_capture_on_commit_callbacks
):
    with in_tenant("erkelenz"):
        form = _form(environment=Environment.TEST, fake=fake)
        application = _submit(form, _citizen("u"), django_capture_on_commit_callbacks)
        delivery = _delivery(application)
        # the handler started again (a repeated task, reconciliation): no second submission
        with django_capture_on_commit_callbacks(execute=True):
            handlers["fitconnect"].start(application)
        assert do_attempt(delivery_id=str(delivery.public_id)) is None
        assert Delivery.objects.filter(application=application).count() == 1
        assert len(fake.submissions) == 1

        # an attempt that announced the submission but died before submitting continues it
        second = _submit(form, _citizen("v"), django_capture_on_commit_callbacks)
        lost = _delivery(second)
        record = fake.submissions[lost.submission_id]
        record["status"], record["attachments"] = "incomplete", {}
        Delivery.objects.filter(pk=lost.pk).update(
            state=Delivery.State.PENDING, next_attempt_at=None
        )
        do_attempt(delivery_id=str(lost.public_id))
        lost.refresh_from_db()
        assert lost.state == Delivery.State.SUBMITTED
        assert record["status"] == "submitted" and len(fake.submissions) == 2

        # and one whose submit went through but whose answer was lost is recognised as sent
        Delivery.objects.filter(pk=lost.pk).update(state=Delivery.State.PENDING)
        do_attempt(delivery_id=str(lost.public_id))
        assert len(fake.submissions) == 2
        assert _delivery(second).state == Delivery.State.SUBMITTED


def test_reject_event_rejects_the_application_with_the_reason_and_forged_events_are_ignored(
    in_tenant, fake, eager_tasks, django_capture_on_commit_callbacks
):
    with in_tenant("erkelenz"):
        form = _form(environment=Environment.TEST, fake=fake)
        application = _submit(form, _citizen("x"), django_capture_on_commit_callbacks)
        delivery = _delivery(application)
        fake.event(delivery.submission_id, "accept-submission", key=cached_key("forger", "sig"))
        poll()
        application.refresh_from_db()
        assert application.status == Status.SUBMITTED  # a forged accept changes nothing
        fake.event(
            delivery.submission_id,
            "reject-submission",
            detail={"problems": [{"type": "x", "title": "t", "detail": "Chipnummer fehlt"}]},
        )
        with django_capture_on_commit_callbacks(execute=True):
            poll()
        application.refresh_from_db()
        assert application.status == Status.REJECTED
        rejected = application.events.get(action="rejected")
        assert "Chipnummer fehlt" in rejected.message and rejected.visible_to_citizen
        assert PostboxMessage.objects.filter(
            citizen=application.citizen, body__contains="Chipnummer fehlt"
        ).exists()
        assert _delivery(application).state == Delivery.State.REJECTED
        assert DeliveryEvent.objects.filter(delivery=delivery).count() == 2  # submit, reject


def test_callback_needs_a_valid_hmac_and_a_fresh_timestamp_and_reads_the_events(
    client, settings, in_tenant, fake, eager_tasks, django_capture_on_commit_callbacks
):
    settings.FITCONNECT_CALLBACK_SECRET = "callback-secret"
    with in_tenant("erkelenz"):
        form = _form(environment=Environment.TEST, fake=fake)
        application = _submit(form, _citizen("cb"), django_capture_on_commit_callbacks)
        delivery = _delivery(application)
        fake.event(delivery.submission_id, "accept-submission")
    host = f"erkelenz.{BASE}"
    body = json.dumps({"type": "new-events", "submissionIds": [delivery.submission_id]}).encode()

    def post(stamp: str, signature: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/fitconnect/callback/",
                body,
                content_type="application/json",
                HTTP_HOST=host,
                HTTP_CALLBACK_TIMESTAMP=stamp,
                HTTP_CALLBACK_AUTHENTICATION=signature,
            )

    def sign(secret: bytes, stamp: str) -> str:
        return hmac.new(secret, stamp.encode() + b"." + body, hashlib.sha512).hexdigest()

    now = str(int(time.time()))
    wrong = post(now, sign(b"other", now))
    assert wrong.status_code == 401 and "callback-authentication" in wrong.json()["detail"]
    old = str(int(time.time()) - 3600)
    stale = post(old, sign(b"callback-secret", old))
    assert stale.status_code == 400 and "zu alt" in stale.json()["detail"]
    assert post("", "").status_code == 400
    assert client.get("/fitconnect/callback/", HTTP_HOST=host).status_code == 405
    with in_tenant("erkelenz"):
        application.refresh_from_db()
        assert application.status == Status.SUBMITTED  # nothing read for refused callbacks
    assert post(now, sign(b"callback-secret", now)).status_code == 202
    with in_tenant("erkelenz"):
        application.refresh_from_db()
        assert application.status == Status.IN_PROGRESS  # the callback had the log read


# --- the sandbox back office and the ZBP --------------------------------------------------------


def test_sandbox_back_office_decrypts_and_its_clerk_accepts(
    client, in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    with in_tenant("erkelenz"):
        form = _form(environment=Environment.SANDBOX, mode=None)
        application = _submit(form, _citizen("sb"), django_capture_on_commit_callbacks)
        delivery = _delivery(application)
        assert delivery.state == Delivery.State.SUBMITTED, delivery.last_error
        record = SandboxSubmission.objects.get(submission_id=delivery.submission_id)
        assert record.state == SandboxSubmission.State.SUBMITTED and not record.problems
        assert record.data["antrag"]["referenz"] == application.reference
        assert record.encrypted == {}  # only the decrypted content is kept
        assert sorted(a.filename for a in record.attachments.all()) == sorted(
            [f"antrag-{application.reference}.pdf", "impfpass.pdf"]
        )
        user = get_user_model().objects.create_user("sb-clerk", password="Sachbearbeitung-2026")
        user.groups.add(Group.objects.get(name="Sachbearbeitung"))
    host = f"erkelenz.{BASE}"
    client.post(
        "/cms/login/", {"username": "sb-clerk", "password": "Sachbearbeitung-2026"}, HTTP_HOST=host
    )
    page = client.get(f"/cms/fitconnect/sandbox/{record.submission_id}/", HTTP_HOST=host)
    assert page.status_code == 200
    assert "Sandbox-Fachverfahren" in page.content.decode() and "Dackel" in page.content.decode()
    refused = client.post(
        f"/cms/fitconnect/sandbox/{record.submission_id}/", {"decision": "reject"}, HTTP_HOST=host
    )
    assert refused.status_code == 200 and "Begründung" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            f"/cms/fitconnect/sandbox/{record.submission_id}/",
            {"decision": "accept"},
            HTTP_HOST=host,
        )
    assert done.status_code == 302
    plan = record.attachments.get(filename="impfpass.pdf")
    download = client.get(f"/cms/fitconnect/sandbox/anlage/{plan.pk}/", HTTP_HOST=host)
    assert download.status_code == 200 and download.content == PDF
    assert (
        "no-store" in download["Cache-Control"] and "attachment" in download["Content-Disposition"]
    )
    anonymous = Client().get(f"/cms/fitconnect/sandbox/anlage/{plan.pk}/", HTTP_HOST=host)
    assert anonymous.status_code in (302, 403) and PDF not in anonymous.content
    with in_tenant("erkelenz"):
        application.refresh_from_db()
        assert application.status == Status.IN_PROGRESS
        assert application.events.filter(
            message="In Bearbeitung bei Sandbox-Fachverfahren."
        ).exists()


def test_zbp_gets_status_and_messages_of_bundid_citizens_only(
    in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    with in_tenant("erkelenz"):
        form = _form(environment=Environment.SANDBOX, mode=None)
        config = FitConnectSettings.load()
        config.zbp_environment = Environment.SANDBOX
        config.save()
        assert poll()["zbp_queued"] == 0  # earlier history (before the cursor) is not sent
        with django_capture_on_commit_callbacks(execute=True):
            application = _submit(
                form,
                _citizen("zbp", mailbox_handle="postkorb-4711"),
                django_capture_on_commit_callbacks,
            )
            _submit(form, _citizen("nobundid"), django_capture_on_commit_callbacks)
        # the receipt in the postbox and the status "submitted" went to the ZBP at once (through
        # the postbox's and the applications' hooks), only for the BundID login
        receipt = Delivery.objects.get(kind=Delivery.Kind.ZBP_MESSAGE)
        assert receipt.payload["mailbox"] == "postkorb-4711"
        submitted = Delivery.objects.get(kind=Delivery.Kind.ZBP_STATUS)
        assert submitted.payload["status"] == "SUBMITTED"
        with django_capture_on_commit_callbacks(execute=True):
            counts = poll()
        assert counts["zbp_queued"] == 0  # the cursor finds both queued already
        deliveries = Delivery.objects.exclude(kind=Delivery.Kind.APPLICATION)
        assert {d.kind for d in deliveries} == {Delivery.Kind.ZBP_STATUS, Delivery.Kind.ZBP_MESSAGE}
        # sent, and the sandbox ZBP's acceptance read from the event log in the same pass
        assert {d.state for d in deliveries} == {Delivery.State.ACCEPTED}, [
            (d.state, d.last_error) for d in deliveries
        ]
        received = SandboxSubmission.objects.filter(destination_id=sandbox.zbp_id())
        assert {r.state for r in received} == {SandboxSubmission.State.ACCEPTED}
        status = received.get(service_identifier=zbp.STATUS_SERVICE)
        content = json.loads(status.data["content"])
        assert content["mailboxUuid"] == "postkorb-4711"
        assert content["applicationId"] == str(application.public_id)
        assert content["status"] == "SUBMITTED"
        assert (
            status.data["sha512sum"] == hashlib.sha512(status.data["content"].encode()).hexdigest()
        )
        message = received.get(service_identifier=zbp.MESSAGE_SERVICE)
        assert json.loads(message.data["content"])["title"].startswith("Eingangsbestätigung")
        with django_capture_on_commit_callbacks(execute=True):
            assert poll()["zbp_queued"] == 0  # each status and message once
        assert ApplicationEvent.objects.filter(application=application).exists()


def test_fitconnect_rows_stay_in_their_tenant(
    in_tenant, fake, eager_tasks, django_capture_on_commit_callbacks
):
    with in_tenant("erkelenz"):
        form = _form(environment=Environment.TEST, fake=fake)
        application = _submit(form, _citizen("iso"), django_capture_on_commit_callbacks)
        delivery = _delivery(application)
        fake.event(delivery.submission_id, "accept-submission")
        poll()
        assert DeliveryEvent.objects.filter(delivery=delivery).count() == 2
    with in_tenant("gangelt"):
        assert not Delivery.objects.filter(dedupe_key=delivery.dedupe_key).exists()
        assert not DeliveryEvent.objects.filter(delivery_id=delivery.pk).exists()
        assert not FormDestination.objects.filter(destination_id=fake.destination_id).exists()
        assert FitConnectSettings.load().environment == Environment.SANDBOX  # its own demo
        Delivery.objects.filter(pk=delivery.pk).update(last_error="from gangelt")
    with in_tenant("erkelenz"):
        assert Delivery.objects.get(pk=delivery.pk).last_error == ""


def test_backoff_grows_and_is_capped():
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]
    assert backoff(1) < timedelta(minutes=1)


def test_each_municipality_has_a_demo_form_delivered_to_its_sandbox(in_tenant):
    for slug in ("erkelenz", "gangelt"):
        with in_tenant(slug):
            form = ApplicationForm.objects.get(handling="fitconnect")
            assert "FIT-Connect" in form.title
            assert FitConnectSettings.load().environment == Environment.SANDBOX
    with in_tenant("kreis"):
        assert not ApplicationForm.objects.filter(handling="fitconnect").exists()


def test_editors_configure_destinations_and_bad_input_is_named(client, in_tenant):
    with in_tenant("erkelenz"):
        form = ApplicationForm.objects.get(slug="hund-anmelden")
        editor = get_user_model().objects.create_user("fit-redaktion", password="Redaktion-2026")
        editor.groups.add(Group.objects.get(name="Editors"))
    host = {"HTTP_HOST": f"erkelenz.{BASE}"}
    client.post("/cms/login/", {"username": "fit-redaktion", "password": "Redaktion-2026"}, **host)
    add = "/cms/snippets/fitconnect/formdestination/add/"
    assert client.get(add, **host).status_code == 200
    bad = client.post(add, {"form": form.pk, "mode": "fixed", "destination_id": ""}, **host)
    assert bad.status_code == 200 and "Zustellpunkt-ID (UUID)" in bad.content.decode()
    good = client.post(
        add,
        {
            "form": form.pk,
            "mode": "fixed",
            "destination_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "authority_name": "Ordnungsamt",
        },
        **host,
    )
    assert good.status_code == 302
    settings_page = client.get("/cms/settings/fitconnect/fitconnectsettings/", **host)
    assert settings_page.status_code in (200, 302)
    with in_tenant("erkelenz"):
        assert FormDestination.objects.get(form=form).authority_name == "Ordnungsamt"
    with in_tenant("gangelt"):
        assert not FormDestination.objects.filter(authority_name="Ordnungsamt").exists()


def test_staff_see_failing_deliveries_first_and_retry_them(
    client, in_tenant, fake, eager_tasks, django_capture_on_commit_callbacks
):
    with in_tenant("erkelenz"):
        form = _form(environment=Environment.TEST, fake=fake)
        ok = _submit(form, _citizen("ok"), django_capture_on_commit_callbacks)
        fake.published_kid_override = "wrong"
        failing = _submit(form, _citizen("bad"), django_capture_on_commit_callbacks)
        fake.published_kid_override = None
        user = get_user_model().objects.create_user("fit-clerk", password="Sachbearbeitung-2026")
        user.groups.add(Group.objects.get(name="Sachbearbeitung"))
    host = {"HTTP_HOST": f"erkelenz.{BASE}"}
    assert client.get("/cms/fitconnect/", **host).status_code in (302, 403)  # not signed in
    client.post(
        "/cms/login/", {"username": "fit-clerk", "password": "Sachbearbeitung-2026"}, **host
    )
    page = client.get("/cms/fitconnect/", **host).content.decode()
    assert page.index(failing.reference) < page.index(ok.reference)
    assert "Erneut versuchen" in page and "Schlüssel-ID" in page
    delivery = _delivery(failing)
    assert client.get(f"/cms/fitconnect/{delivery.public_id}/erneut/", **host).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(f"/cms/fitconnect/{delivery.public_id}/erneut/", **host)
    assert retried.status_code == 302
    with in_tenant("erkelenz"):
        assert _delivery(failing).state == Delivery.State.SUBMITTED
