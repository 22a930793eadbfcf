"""Online applications: editor-defined forms, drafts, submission with receipt, payment, the staff
inbox (assign, ask, accept, reject with refund), automated handling, and isolation."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from kreisportal.celery import app
from payments.models import Payment
from services.applications import states
from services.applications.actions import ApplicationRefused, _move, do_withdraw
from services.applications.models import Application, ApplicationForm, Status
from services.postbox.models import PostboxMessage
from tests.core.test_faults import broker_down  # noqa: F401 - fixture
from tests.support.sso import Browser, needs_step_up, sign_in, step_up

BASE = settings.BASE_DOMAIN
ERKELENZ = f"erkelenz.{BASE}:8000"
HEINSBERG = f"heinsberg.{BASE}:8000"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.4\n%demo\n" + b"0" * 200


@pytest.fixture
def eager_tasks():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _citizen_browser(host: str = ERKELENZ, persona: str = "erika", level: str = "substantial"):
    browser = Browser()
    sign_in(browser, host, persona=persona, level=level)
    return browser


def _staff_client(client, in_tenant, slug="erkelenz", group="Sachbearbeitung", name="sb-test"):
    with in_tenant(slug):
        user = get_user_model().objects.create_user(name, password="Sachbearbeitung-2026")
        user.groups.add(Group.objects.get(name=group))
    logged_in = client.post(
        "/cms/login/",
        {"username": name, "password": "Sachbearbeitung-2026"},
        HTTP_HOST=f"{slug}.{BASE}",
    )
    assert logged_in.status_code == 302
    return client


def review_token(page) -> str:
    """The signed fingerprint the "Angaben prüfen" page puts in its form."""
    found = re.search(r'name="geprueft" value="([^"]+)"', page.content.decode())
    assert found, page.content.decode()[-2000:]
    return found.group(1)


def check_and_submit(browser: Browser, url: str, data: dict):
    """Fill in, "Angaben prüfen", and send from the review page (where binding happens; at
    "substanziell" BundID asks again for the service first). Returns the sending's answer."""
    checked = browser.post(url, {**data, "aktion": "pruefen"})
    assert checked.status_code == 302, checked.content.decode()[-2000:]
    review_url = f"{url.split('/antraege/')[0]}{checked['Location']}"
    page = browser.get(review_url)
    answer = browser.post(review_url, {"geprueft": review_token(page)})
    if needs_step_up(answer):
        page = step_up(browser, answer)
        answer = browser.post(review_url, {"geprueft": review_token(page)})
    return answer


def _submit_parking_permit(browser: Browser, host: str = ERKELENZ) -> Application:
    answer = check_and_submit(
        browser,
        f"http://{host}/antraege/bewohnerparkausweis/",
        {
            "amtliches_kennzeichen": "HS-KP 2026",
            "parkzone": "Zone A – Innenstadt",
            "zulassungsbescheinigung_teil_i": SimpleUploadedFile("schein.png", PNG),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    public_id = answer["Location"].split("?")[0].rstrip("/").rsplit("/", 1)[1]
    return Application.objects.get(public_id=public_id)


def _register_dog(browser: Browser, breed: str, born: str, kept_since: str):
    """Submit Erkelenz's automated form "Hund anmelden" (through "Angaben prüfen")."""
    return check_and_submit(
        browser,
        f"http://{ERKELENZ}/antraege/hund-anmelden/",
        {
            "rasse_oder_mischung": breed,
            "wurfdatum_des_hundes": born,
            "hund_gehalten_seit": kept_since,
        },
    )


def test_demo_forms_are_linked_from_the_service_page(client, in_tenant):
    with in_tenant("erkelenz"):
        assert set(ApplicationForm.objects.values_list("slug", flat=True)) >= {
            "hund-anmelden",
            "bewohnerparkausweis",
            "gewerbe-anmelden",
        }
    page = client.get("/leistungen/99102013000000/", HTTP_HOST=ERKELENZ).content.decode()
    assert 'href="/antraege/hund-anmelden/"' in page
    with in_tenant("kreis"):
        assert ApplicationForm.objects.filter(slug="jagdschein").exists()


def test_draft_is_kept_between_visits_and_bad_input_loses_nothing(in_tenant):
    browser = _citizen_browser()
    url = f"http://{ERKELENZ}/antraege/bewohnerparkausweis/"
    assert browser.get(url).status_code == 200
    saved = browser.post(url, {"aktion": "speichern", "amtliches_kennzeichen": "HS-KP 1"})
    assert saved.status_code == 200 and "Entwurf ist gespeichert" in saved.content.decode()
    # a later visit, new browser session: the draft is there
    later = _citizen_browser()
    page = later.get(url).content.decode()
    assert 'value="HS-KP 1"' in page and "Entwurf vom" in page
    # submitting without the required file: clear messages, the draft is unchanged
    refused = later.post(url, {"aktion": "einreichen", "amtliches_kennzeichen": "HS-KP 2"})
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "Parkzone" in body and "Zulassungsbescheinigung Teil I" in body
    assert 'value="HS-KP 2"' in body  # what was typed is shown again
    with in_tenant("erkelenz"):
        draft = Application.objects.get(status=Status.DRAFT)
        assert draft.data == {"amtliches_kennzeichen": "HS-KP 1"}
        assert not draft.events.exclude(action="created").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("programm.pdf", b"MZ\x90\x00 not a pdf", "keine gültige PDF-Datei"),
        ("bild.gif", b"GIF89a....", "erlaubt sind PDF-, PNG- und JPEG-Dateien"),
        ("gross.png", PNG + b"\x00" * 3000, "erlaubt sind höchstens"),
    ],
)
def test_uploads_are_checked_by_size_and_content(in_tenant, settings, name, content, message):
    settings.APPLICATION_UPLOAD_MAX_BYTES = 2048
    browser = _citizen_browser()
    refused = browser.post(
        f"http://{ERKELENZ}/antraege/bewohnerparkausweis/",
        {
            "aktion": "einreichen",
            "amtliches_kennzeichen": "HS-KP 3",
            "parkzone": "Zone A – Innenstadt",
            "zulassungsbescheinigung_teil_i": SimpleUploadedFile(name, content),
        },
    )
    assert refused.status_code == 400 and message in refused.content.decode()
    with in_tenant("erkelenz"):
        assert not Application.objects.exists()


def test_trust_level_below_the_forms_minimum_is_asked_to_sign_in_again(in_tenant):
    browser = _citizen_browser(persona="max", level="basic")
    page = browser.get(f"http://{ERKELENZ}/antraege/bewohnerparkausweis/")
    assert page.status_code == 403 and "level=substantial" in page.content.decode()
    anonymous = Browser().get(f"http://{ERKELENZ}/antraege/bewohnerparkausweis/")
    assert anonymous.status_code == 302 and "/konto/anmelden/" in anonymous["Location"]


def test_clerk_journey_submit_pay_ask_answer_accept(
    client, in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    browser = _citizen_browser()
    with in_tenant("erkelenz"), django_capture_on_commit_callbacks(execute=True):
        application = _submit_parking_permit(browser)
    assert application.status == Status.AWAITING_PAYMENT
    with in_tenant("erkelenz"):
        receipt = PostboxMessage.objects.get(citizen=application.citizen)
        text = pdf_text(receipt.attachment.read())
    assert "Eingangsbestätigung" in text and application.reference in text
    assert "HS-KP 2026" in text and "schein.png" in text and "30,70 €" in text

    detail = f"http://{ERKELENZ}/antraege/vorgang/{application.public_id}/"
    to_pay = browser.post(f"{detail}bezahlen/", {})
    assert to_pay.status_code == 302 and "/zahlung/sandbox/" in to_pay["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):  # double click and back button: one booking
            browser.post(
                f"http://{ERKELENZ}{to_pay['Location']}",
                {"methode": "paypal", "ergebnis": "erfolg"},
            )
    with in_tenant("erkelenz"):
        application.refresh_from_db()
        assert application.status == Status.PAID
        assert application.payment.events.count() == 1

    staff = _staff_client(client, in_tenant)
    inbox = staff.get("/cms/antraege/", HTTP_HOST=f"erkelenz.{BASE}")
    assert inbox.status_code == 200 and application.reference in inbox.content.decode()
    staff_url = f"/cms/antraege/{application.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        asked = staff.post(
            staff_url,
            {
                "schritt": "rueckfrage",
                "rueckfrage-message": "Bitte Meldebescheinigung nachreichen.",
            },
            HTTP_HOST=f"erkelenz.{BASE}",
        )
    assert asked.status_code == 302
    assert any("Rückfrage" in m.subject for m in mail.outbox)
    page = browser.get(detail).content.decode()
    assert "Bitte Meldebescheinigung nachreichen." in page
    answered = browser.post(
        f"{detail}antworten/",
        {"message": "Anbei.", "attachment": SimpleUploadedFile("meldung.pdf", PDF)},
    )
    assert answered.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        accepted = staff.post(
            staff_url,
            {
                "schritt": "entscheidung",
                "entscheidung-decision": "annehmen",
                "entscheidung-message": "Ihr Bewohnerparkausweis ist erteilt.",
                "entscheidung-attachment": SimpleUploadedFile("ausweis.pdf", PDF),
            },
            HTTP_HOST=f"erkelenz.{BASE}",
        )
    assert accepted.status_code == 302
    with in_tenant("erkelenz"):
        application.refresh_from_db()
        assert application.status == Status.COMPLETED
        trail = list(application.events.values_list("from_status", "to_status", "actor"))
        assert [(f, t) for f, t, _ in trail if t] == [
            ("", "draft"),
            ("draft", "submitted"),
            ("submitted", "awaiting_payment"),
            ("awaiting_payment", "paid"),
            ("paid", "in_progress"),
            ("in_progress", "completed"),
        ]
        assert trail[-1][2] == "sb-test"
        assert application.uploads.filter(field_name="nachreichung").exists()
        subjects = list(
            PostboxMessage.objects.filter(citizen=application.citizen).values_list(
                "subject", flat=True
            )
        )
        assert len(subjects) == 3 and any("bewilligt" in s for s in subjects)
    document = browser.get(f"{detail}dokument/")
    assert document.status_code == 200 and b"".join(document.streaming_content) == PDF


def test_rejection_refunds_the_paid_fee_once(
    client, in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    browser = _citizen_browser()
    with in_tenant("erkelenz"), django_capture_on_commit_callbacks(execute=True):
        application = _submit_parking_permit(browser)
    pay = browser.post(f"http://{ERKELENZ}/antraege/vorgang/{application.public_id}/bezahlen/", {})
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(
            f"http://{ERKELENZ}{pay['Location']}", {"methode": "card", "ergebnis": "erfolg"}
        )
    staff = _staff_client(client, in_tenant)
    with django_capture_on_commit_callbacks(execute=True):
        rejected = staff.post(
            f"/cms/antraege/{application.pk}/",
            {
                "schritt": "entscheidung",
                "entscheidung-decision": "ablehnen",
                "entscheidung-message": "Sie wohnen nicht in der Parkzone.",
            },
            HTTP_HOST=f"erkelenz.{BASE}",
        )
    assert rejected.status_code == 302
    with in_tenant("erkelenz"):
        application.refresh_from_db()
        assert application.status == Status.REJECTED
        assert application.payment.status == Payment.Status.REFUNDED
        assert application.payment.events.filter(kind="refunded").count() == 1
        assert application.events.filter(action="refunded").count() == 1
        assert PostboxMessage.objects.filter(subject__contains="abgelehnt").exists()
        # the reconciliation task finds nothing more to refund
        from services.applications.tasks import reconcile_applications

        assert reconcile_applications(min_age_seconds=0)["refunded"] == 0
    # a decided application cannot be decided again
    again = staff.post(
        f"/cms/antraege/{application.pk}/",
        {"schritt": "uebernehmen"},
        HTTP_HOST=f"erkelenz.{BASE}",
    )
    assert again.status_code == 400 and "kann nicht bearbeitet werden" in again.content.decode()


def test_automated_application_completes_without_a_clerk(
    in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    browser = _citizen_browser(persona="max", level="basic")
    with django_capture_on_commit_callbacks(execute=True):
        answer = _register_dog(browser, "Labrador", "2025-04-01", "2026-11-01")
    assert answer.status_code == 302
    with in_tenant("erkelenz"):
        application = Application.objects.get()
        assert application.status == Status.COMPLETED
        assert application.payment is None and application.assigned_to is None
        assert [e.actor for e in application.events.filter(to_status="completed")] == ["System"]
        messages = PostboxMessage.objects.filter(citizen=application.citizen).order_by("created")
        assert len(messages) == 2
        text = pdf_text(messages[1].attachment.read())
    assert "Bestätigung: Hund anmelden" in text and "Labrador" in text and "01.04.2025" in text


def test_state_machine_refuses_every_transition_it_does_not_list(in_tenant):
    for current in Status:
        for target in Status:
            allowed = states.may_transition(current, target)
            assert allowed == (target in states.TRANSITIONS[current])
    with in_tenant("erkelenz"):
        from services.accounts.actions import do_sign_in_citizen

        citizen = do_sign_in_citizen(identity={"pseudonym": "test-sm", "level": "basic"})
        form = ApplicationForm.objects.get(slug="gewerbe-anmelden")
        application = Application.objects.create(form=form, citizen=citizen)
        with pytest.raises(ApplicationRefused, match="kann nicht in den Zustand"):
            _move(application, Status.COMPLETED, actor="t", action="x")
        application.refresh_from_db()
        assert application.status == Status.DRAFT and not application.events.exists()
        Application.objects.filter(pk=application.pk).update(status=Status.PAID)
        with pytest.raises(ApplicationRefused, match="nicht mehr zurückgezogen"):
            do_withdraw(application=application, citizen=citizen)


def test_applications_are_private_to_their_citizen_and_tenant(
    client, in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    owner = _citizen_browser()
    with in_tenant("erkelenz"), django_capture_on_commit_callbacks(execute=True):
        application = _submit_parking_permit(owner)
        upload = application.uploads.get()
    paths = [
        f"/antraege/vorgang/{application.public_id}/",
        f"/antraege/vorgang/{application.public_id}/datei/{upload.public_id}/",
    ]
    other_citizen = _citizen_browser(persona="hannah", level="high")
    same_citizen_other_tenant = _citizen_browser(host=HEINSBERG)
    for path in paths:
        assert owner.get(f"http://{ERKELENZ}{path}").status_code == 200
        assert other_citizen.get(f"http://{ERKELENZ}{path}").status_code == 404
        assert same_citizen_other_tenant.get(f"http://{HEINSBERG}{path}").status_code == 404
    for action in ("bezahlen", "zurueckziehen", "antworten"):
        url = f"/antraege/vorgang/{application.public_id}/{action}/"
        assert other_citizen.post(f"http://{ERKELENZ}{url}", {}).status_code == 404
    guessed = "/antraege/vorgang/00000000-0000-4000-8000-000000000000/"
    assert owner.get(f"http://{ERKELENZ}{guessed}").status_code == 404
    assert owner.get(f"http://{ERKELENZ}/antraege/vorgang/1/").status_code == 404
    # staff of another tenant: neither by ORM nor in their admin
    with in_tenant("heinsberg"):
        assert not Application.objects.filter(public_id=application.public_id).exists()
    staff = _staff_client(client, in_tenant, slug="heinsberg")
    assert (
        staff.get(f"/cms/antraege/{application.pk}/", HTTP_HOST=f"heinsberg.{BASE}").status_code
        == 404
    )
    refused = staff.post(
        f"/cms/antraege/{application.pk}/",
        {"schritt": "uebernehmen"},
        HTTP_HOST=f"heinsberg.{BASE}",
    )
    assert refused.status_code == 404
    with in_tenant("erkelenz"):
        application.refresh_from_db()
        assert application.assigned_to is None and application.status == Status.AWAITING_PAYMENT


def test_inbox_needs_the_clerk_permission_and_filters(
    client, in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    browser = _citizen_browser()
    with in_tenant("erkelenz"), django_capture_on_commit_callbacks(execute=True):
        application = _submit_parking_permit(browser)
    editor = _staff_client(client, in_tenant, group="Editors", name="nur-redaktion")
    # Wagtail answers a missing permission with a redirect to the dashboard and a message
    denied = editor.get("/cms/antraege/", HTTP_HOST=f"erkelenz.{BASE}")
    assert denied.status_code == 302 and denied["Location"] == "/cms/"
    dashboard = editor.get("/cms/", HTTP_HOST=f"erkelenz.{BASE}").content.decode()
    assert "/cms/antraege/" not in dashboard
    editor.logout()
    clerk = _staff_client(client, in_tenant)
    host = {"HTTP_HOST": f"erkelenz.{BASE}"}
    assert "/cms/antraege/" in clerk.get("/cms/", **host).content.decode()

    def listed(**params) -> bool:
        page = clerk.get("/cms/antraege/", params, **host)
        assert page.status_code == 200
        return application.reference in page.content.decode()

    assert listed() is False  # open = needs a clerk now; awaiting payment does not
    assert listed(status="awaiting_payment") and listed(status="alle")
    assert listed(status="alle", zustaendig="niemand")
    assert not listed(status="alle", zustaendig="ich")
    assert listed(status="alle", q=application.reference)
    assert listed(status="alle", q="Mustermann")  # Erika Mustermann, the sandbox persona
    assert clerk.get("/cms/antraege/", {"status": "unsinn"}, **host).status_code == 200


def test_inbox_list_has_a_fixed_number_of_queries(
    client,
    in_tenant,
    eager_tasks,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    browser = _citizen_browser()
    with in_tenant("erkelenz"), django_capture_on_commit_callbacks(execute=True):
        _submit_parking_permit(browser)
    staff = _staff_client(client, in_tenant)
    counts = []
    for _ in range(2):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = staff.get("/cms/antraege/?status=alle", HTTP_HOST=f"erkelenz.{BASE}")
        assert response.status_code == 200
        # django-tenants' SET search_path is sent only when the connection's schema changed
        counts.append(sum(not q["sql"].startswith("SET search_path") for q in captured))
        with in_tenant("erkelenz"), django_capture_on_commit_callbacks(execute=True):
            _submit_parking_permit(browser)
    assert counts[0] == counts[1]


def test_account_export_lists_applications_and_deletion_keeps_them(
    in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    browser = _citizen_browser()
    with in_tenant("erkelenz"), django_capture_on_commit_callbacks(execute=True):
        application = _submit_parking_permit(browser)
    account = browser.get(f"http://{ERKELENZ}/konto/").content.decode()
    assert f"/antraege/vorgang/{application.public_id}/" in account
    exported = browser.get(f"http://{ERKELENZ}/konto/export/").json()
    assert exported["applications"][0]["reference"] == application.reference
    assert exported["applications"][0]["data"]["amtliches_kennzeichen"] == "HS-KP 2026"
    assert exported["payments"][0]["amount_cents"] == application.form.fee_cents > 0
    assert exported["payments"][0]["status"] == "pending"
    assert exported["cadastral_orders"] == []
    refused = browser.post(f"http://{ERKELENZ}/konto/loeschen/", {"confirm": "ja"})
    assert refused.status_code == 400 and "aufbewahren" in refused.content.decode()
    assert "1 Antrag, 1 Zahlungsbeleg" in refused.content.decode()
    with in_tenant("erkelenz"):
        assert Application.objects.filter(pk=application.pk).exists()
        assert application.citizen.user.is_active


def _editor(client, in_tenant):
    return _staff_client(client, in_tenant, group="Editors", name="formular-redaktion")


def _form_post(local_service_id: str, fields: list[dict], **overrides) -> dict:
    data = {
        "local_service": local_service_id,
        "title": "Fundsache melden",
        "slug": "fundsache-melden",
        "intro": "Sie haben etwas gefunden?",
        "fee_cents": "0",
        "min_trust_level": "basic",
        "handling": "clerk",
        "active": "on",
        "fields-TOTAL_FORMS": str(len(fields)),
        "fields-INITIAL_FORMS": "0",
        "fields-MIN_NUM_FORMS": "1",
        "fields-MAX_NUM_FORMS": "1000",
    }
    for index, field in enumerate(fields):
        for key, value in {
            "id": "",
            "ORDER": str(index + 1),
            "name": "",
            "help_text": "",
            "choices": "",
            "required": "on",
            **field,
        }.items():
            data[f"fields-{index}-{key}"] = value
    data.update(overrides)
    return data


def test_editor_turns_a_service_into_an_online_application(client, in_tenant):
    with in_tenant("erkelenz"):
        from services.local.models import LocalService

        local = LocalService.objects.filter(offered=True, application_form__isnull=True).first()
        taken = ApplicationForm.objects.get(slug="hund-anmelden").local_service_id
    editor = _editor(client, in_tenant)
    host = {"HTTP_HOST": f"erkelenz.{BASE}"}
    add = "/cms/snippets/applications/applicationform/add/"
    assert editor.get(add, **host).status_code == 200
    bad = editor.post(
        add,
        _form_post(
            str(taken),
            [
                {"label": "Fundort", "kind": "text"},
                {"label": "Fundort", "kind": "text"},
                {"label": "Art", "kind": "choice", "choices": "nur eine"},
            ],
            fee_cents="-5",
        ),
        **host,
    )
    body = bad.content.decode()
    assert bad.status_code == 200 and "denselben internen Namen" in body
    assert "mindestens zwei Möglichkeiten" in body
    assert "existiert bereits" in body or "already exists" in body  # one form per service
    with in_tenant("erkelenz"):
        assert not ApplicationForm.objects.filter(slug="fundsache-melden").exists()
    good = editor.post(
        add,
        _form_post(
            str(local.pk),
            [
                {"label": "Fundort", "kind": "text"},
                {"label": "Art der Fundsache", "kind": "choice", "choices": "Schlüssel\nGeldbörse"},
                {"label": "Foto", "kind": "file", "required": ""},
            ],
        ),
        **host,
    )
    assert good.status_code == 302, good.content.decode()[-3000:]
    with in_tenant("erkelenz"):
        created = ApplicationForm.objects.get(slug="fundsache-melden")
        assert [f.name for f in created.fields.all()] == ["fundort", "art_der_fundsache", "foto"]
    with in_tenant("heinsberg"):
        assert not ApplicationForm.objects.filter(slug="fundsache-melden").exists()
    citizen = _citizen_browser(persona="max", level="basic")
    page = citizen.get(f"http://{ERKELENZ}/antraege/fundsache-melden/").content.decode()
    assert "Art der Fundsache" in page and "Geldbörse" in page
    assert citizen.get(f"http://{HEINSBERG}/antraege/fundsache-melden/").status_code == 404


def test_reconciliation_completes_what_a_crash_left_behind(
    in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    """Payment booked but the process died before the application moved on; an automated
    application whose task was lost. The periodic reconciliation settles both, once."""
    from services.applications.tasks import reconcile_applications

    browser = _citizen_browser()
    with in_tenant("erkelenz"), django_capture_on_commit_callbacks(execute=True):
        permit = _submit_parking_permit(browser)
    # submitted without running the after-commit hooks: the pipeline task is "lost"
    dog = _register_dog(browser, "Pudel", "2024-02-29", "2026-10-01")
    assert dog.status_code == 302
    with in_tenant("erkelenz"):
        # the payment was captured and booked, but nothing was announced (crash)
        Payment.objects.filter(pk=permit.payment_id).update(status="paid")
        assert set(Application.objects.values_list("status", flat=True)) == {
            Status.AWAITING_PAYMENT,
            Status.SUBMITTED,
        }
        with django_capture_on_commit_callbacks(execute=True):
            settled = reconcile_applications(min_age_seconds=0)
        assert settled == {"paid": 1, "automated": 1, "refunded": 0}
        statuses = dict(Application.objects.values_list("form__slug", "status"))
        assert statuses == {"bewohnerparkausweis": Status.PAID, "hund-anmelden": Status.COMPLETED}
        with django_capture_on_commit_callbacks(execute=True):
            assert reconcile_applications(min_age_seconds=0) == {
                "paid": 0,
                "automated": 0,
                "refunded": 0,
            }
        dog_application = Application.objects.get(form__slug="hund-anmelden")
        assert dog_application.events.filter(to_status=Status.COMPLETED).count() == 1


def test_broker_down_the_application_is_accepted_and_its_task_waits(
    in_tenant,
    broker_down,  # noqa: F811 - the fixture
    django_capture_on_commit_callbacks,
):
    """No broker: the citizen's submission stands (receipt and all), the automated handling
    waits in the outbox and runs when it is relayed."""
    from kreisportal.models import OutboxTask
    from kreisportal.outbox import relay
    from services.fitconnect.models import FitConnectSettings

    with in_tenant("erkelenz"):  # this test is about the case's own task, not the ZBP channel
        FitConnectSettings.objects.update(zbp_environment="off")
    browser = _citizen_browser(persona="max", level="basic")
    with django_capture_on_commit_callbacks(execute=True):
        answer = _register_dog(browser, "Beagle", "2023-05-05", "2026-09-01")
    assert answer.status_code == 302
    with in_tenant("erkelenz"):
        application = Application.objects.get()
        assert application.status == Status.SUBMITTED
        assert PostboxMessage.objects.filter(subject__startswith="Eingangsbestätigung").exists()
    kept = list(OutboxTask.objects.values_list("schema_name", "task_name", "args"))
    assert kept == [("erkelenz", "applications.run_pipeline", [str(application.public_id)])]
    assert relay() == 0  # still down: nothing lost
    app.conf.task_always_eager = True  # the broker is back; the task runs here
    try:
        assert relay() == 1
    finally:
        app.conf.task_always_eager = False
    with in_tenant("erkelenz"):
        application.refresh_from_db()
        assert application.status == Status.COMPLETED
    assert not OutboxTask.objects.exists()
