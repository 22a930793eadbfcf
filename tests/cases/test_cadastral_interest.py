"""Liegenschaftsauskunft as citizens meet it (issue 20, finding 8): owner data for anyone but
the owner needs a stated legitimate interest and a clerk's review; the status page follows the
order through a small JSON endpoint; a search without result says what to try; the download
link says what it downloads. And the clerk's side (finding 9): only cases waiting for a clerk
in the inbox, the history in words."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from kreisportal.celery import app
from payments.models import Payment
from services.applications.actions import ApplicationRefused, do_approve_review
from services.applications.models import Application, Review, Status
from services.applications.tasks import reconcile_applications
from services.fulfillment.models import CadastralOrder, Owner, Parcel
from services.postbox.models import PostboxMessage
from tests.support.sso import Browser, sign_in

BASE = settings.BASE_DOMAIN
KREIS = f"kreis.{BASE}:8000"
ORDER = f"http://{KREIS}/liegenschaftsauskunft/bestellen/"
INTEREST = {
    "grund": "kauf",
    "begruendung": "Ich möchte das Grundstück kaufen und die Eigentümerin anschreiben.",
}


@pytest.fixture
def eager_tasks():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def _erikas_parcel(in_tenant) -> Parcel:
    with in_tenant("kreis"):
        return (
            Owner.objects.select_related("parcel__gemarkung")
            .filter(pseudonym="sandbox-bpk2-erika-0001")
            .first()
            .parcel
        )


def _clerk(client, in_tenant, name="kataster-sb"):
    with in_tenant("kreis"):
        user = get_user_model().objects.create_user(name, password="Kataster-2026-geheim")
        user.groups.add(Group.objects.get(name="Sachbearbeitung"))
    assert (
        client.post(
            "/cms/login/",
            {"username": name, "password": "Kataster-2026-geheim"},
            HTTP_HOST=f"kreis.{BASE}",
        ).status_code
        == 302
    )
    return client


def _pay(browser: Browser, ordered, capture) -> str:
    """Pay at the sandbox provider; returns the order's status path."""
    assert ordered.status_code == 302 and ordered["Location"].startswith("/zahlung/sandbox/")
    with capture(execute=True):
        paid = browser.post(
            f"http://{KREIS}{ordered['Location']}", {"methode": "card", "ergebnis": "erfolg"}
        )
    assert paid.status_code == 302
    return paid["Location"]


def test_someone_else_states_an_interest_and_a_clerk_approves(
    client, in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    parcel = _erikas_parcel(in_tenant)
    hannah = Browser()
    sign_in(hannah, KREIS, persona="hannah", level="high")
    # owner data asked by someone who is not the owner: the interest page, nothing placed
    asked = hannah.post(ORDER, {"parcel": parcel.pk, "product": "eigentumsnachweis"})
    page = asked.content.decode()
    assert asked.status_code == 200 and "berechtigtes Interesse" in page
    assert 'name="begruendung"' in page and "Gebühr" in page
    assert "Vermessungs- und Katastergesetz NRW – VermKatG NRW" in page  # the legal basis
    # too short a reason: the error summary, the choice kept, still nothing placed
    short = hannah.post(
        ORDER,
        {
            "parcel": parcel.pk,
            "product": "eigentumsnachweis",
            "grund": "kauf",
            "begruendung": "kaufen",
        },
    )
    page = short.content.decode()
    assert short.status_code == 400 and "data-error-summary" in page
    assert 'href="#id_begruendung"' in page and "mindestens 20 Zeichen" in page
    assert re.search(r'<option value="kauf" selected', page)
    with in_tenant("kreis"):
        assert not CadastralOrder.objects.exists()
    # stated: placed, paid, then it waits for a clerk, nothing produced
    ordered = hannah.post(ORDER, {"parcel": parcel.pk, "product": "eigentumsnachweis", **INTEREST})
    status_path = _pay(hannah, ordered, django_capture_on_commit_callbacks)
    status = hannah.get(f"http://{KREIS}{status_path}").content.decode()
    assert "wird von der Sachbearbeitung geprüft" in status
    with in_tenant("kreis"):
        order = CadastralOrder.objects.select_related("application").get()
        application = order.application
        assert application.status == Status.PAID and application.review == Review.PENDING
        assert not application.document and not PostboxMessage.objects.exists()
        assert application.data["interest_statement"] == INTEREST["begruendung"]
        # the reconciliation leaves a case waiting for review alone
        assert reconcile_applications(min_age_seconds=0)["automated"] == 0
        application.refresh_from_db()
        assert application.status == Status.PAID
    polled = hannah.get(f"http://{KREIS}{status_path}stand/").json()
    assert polled["status"] == "paid" and polled["final"] is False
    assert "prüft Ihr berechtigtes Interesse" in polled["html"]
    # the clerk sees it in the inbox, with the stated interest
    clerk = _clerk(client, in_tenant)
    host = {"HTTP_HOST": f"kreis.{BASE}"}
    assert application.reference in clerk.get("/cms/antraege/", **host).content.decode()
    detail = clerk.get(f"/cms/antraege/{application.pk}/", **host).content.decode()
    assert INTEREST["begruendung"] in detail and "Kauf- oder Vertragsverhandlungen" in detail
    assert "Rechtsgrundlage" in detail and "Vermessungs- und Katastergesetz NRW" in detail
    with django_capture_on_commit_callbacks(execute=True):
        approved = clerk.post(
            f"/cms/antraege/{application.pk}/",
            {
                "schritt": "entscheidung",
                "entscheidung-decision": "annehmen",
                "entscheidung-message": "Kaufinteresse glaubhaft dargelegt.",
            },
            **host,
        )
    assert approved.status_code == 302
    with in_tenant("kreis"):
        application.refresh_from_db()
        assert application.status == Status.COMPLETED and application.review == Review.APPROVED
        message = PostboxMessage.objects.get(citizen=application.citizen)
        assert message.attachment.read().startswith(b"%PDF")
        actions = list(application.events.values_list("action", flat=True))
        assert "review_requested" in actions and "review_approved" in actions
        # approved once: a second approval is refused
        with pytest.raises(ApplicationRefused):
            do_approve_review(application=application, clerk=None, message="nochmal")
    history = clerk.get(f"/cms/antraege/{application.pk}/", **host).content.decode()
    assert "von der Sachbearbeitung freigegeben" in history and "review_approved" not in history
    polled = hannah.get(f"http://{KREIS}{status_path}stand/").json()
    assert polled["status"] == "completed" and "Auszug herunterladen (PDF, " in polled["html"]


def test_a_clerk_refuses_with_a_reason_and_the_fee_is_refunded(
    client, in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    parcel = _erikas_parcel(in_tenant)
    hannah = Browser()
    sign_in(hannah, KREIS, persona="hannah", level="substantial")
    ordered = hannah.post(ORDER, {"parcel": parcel.pk, "product": "eigentumsnachweis", **INTEREST})
    _pay(hannah, ordered, django_capture_on_commit_callbacks)
    with in_tenant("kreis"):
        application = Application.objects.get(review=Review.PENDING)
    clerk = _clerk(client, in_tenant, name="kataster-sb2")
    with django_capture_on_commit_callbacks(execute=True):
        refused = clerk.post(
            f"/cms/antraege/{application.pk}/",
            {
                "schritt": "entscheidung",
                "entscheidung-decision": "ablehnen",
                "entscheidung-message": "Ein Kaufinteresse allein genügt hier nicht.",
            },
            HTTP_HOST=f"kreis.{BASE}",
        )
    assert refused.status_code == 302
    with in_tenant("kreis"):
        application.refresh_from_db()
        assert application.status == Status.REJECTED and not application.document
        assert Payment.objects.get(pk=application.payment_id).status == "refunded"
        body = PostboxMessage.objects.get(citizen=application.citizen).body
        assert "Ein Kaufinteresse allein genügt hier nicht." in body


def test_the_owner_gets_it_at_once_and_automated_cases_stay_out_of_the_inbox(
    client, in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    parcel = _erikas_parcel(in_tenant)
    erika = Browser()
    sign_in(erika, KREIS, persona="erika", level="substantial")
    ordered = erika.post(ORDER, {"parcel": parcel.pk, "product": "eigentumsnachweis"})
    status_path = _pay(erika, ordered, django_capture_on_commit_callbacks)
    page = erika.get(f"http://{KREIS}{status_path}").content.decode()
    # the link says what it downloads
    assert re.search(r"Auszug herunterladen \(PDF, [\d,.]+\xa0KB\)", page), page
    with in_tenant("kreis"):
        application = Application.objects.get()
        assert application.status == Status.COMPLETED and application.review == Review.NONE
    clerk = _clerk(client, in_tenant, name="kataster-sb3")
    host = {"HTTP_HOST": f"kreis.{BASE}"}
    for params in ({}, {"status": "alle"}, {"status": "completed"}):
        listing = clerk.get("/cms/antraege/", params, **host).content.decode()
        assert application.reference not in listing
    everything = clerk.get("/cms/antraege/", {"status": "alle", "bearbeitung": "alle"}, **host)
    assert application.reference in everything.content.decode()
    # an automated case cannot be decided by a clerk
    detail = clerk.get(f"/cms/antraege/{application.pk}/", **host).content.decode()
    assert "Entscheidung senden" not in detail


def test_status_endpoint_only_for_the_ordering_citizen(in_tenant, client):
    from tests.factories import cadastral_order, citizen

    with in_tenant("kreis"):
        order = cadastral_order(citizen("sandbox-bpk2-erika-0001"))
    erika = Browser()
    sign_in(erika, KREIS, persona="erika")
    url = f"http://{KREIS}/liegenschaftsauskunft/auftrag/{order.pk}/stand/"
    mine = erika.get(url)
    assert mine.status_code == 200 and mine.json()["status"] == "awaiting_payment"
    assert "private" in mine["Cache-Control"] and "no-store" in mine["Cache-Control"]
    assert mine.json()["final"] is False
    other = Browser()
    sign_in(other, KREIS, persona="max")
    assert other.get(url).status_code == 404
    assert client.get(url.replace(f"http://{KREIS}", ""), HTTP_HOST=KREIS).status_code == 404
    page = erika.get(f"http://{KREIS}/liegenschaftsauskunft/auftrag/{order.pk}/").content.decode()
    assert 'aria-live="polite"' in page and "order-status.js" in page
    assert "laden Sie die Seite" not in page


def test_a_search_without_result_says_what_to_try(client, in_tenant):
    by_address = client.get(
        "/liegenschaftsauskunft/", {"adresse": "Nirgendwostr. 99"}, HTTP_HOST=KREIS
    ).content.decode()
    assert "Zu „Nirgendwostr. 99“ haben wir kein Flurstück gefunden." in by_address
    assert "ohne Hausnummer" in by_address and "Katasteramt" in by_address
    by_number = client.get(
        "/liegenschaftsauskunft/", {"flur": "999"}, HTTP_HOST=KREIS
    ).content.decode()
    assert "Grundsteuerbescheid" in by_number


def test_a_clerk_cannot_decide_an_automated_case(client, in_tenant):
    from payments.actions import do_book_payment_event
    from services.applications.actions import do_mark_paid
    from tests.factories import cadastral_order, citizen

    with in_tenant("kreis"):
        order = cadastral_order(citizen("sandbox-bpk2-erika-0001"))
        do_book_payment_event(
            payment_id=order.payment_id, event_id="evt-automated", outcome="paid", method="card"
        )
        do_mark_paid(payment=Payment.objects.get(pk=order.payment_id))  # the booking's hook
        application = Application.objects.get(pk=order.application_id)
        assert application.status == Status.PAID  # its pipeline runs after commit, not here
    clerk = _clerk(client, in_tenant, name="kataster-sb4")
    refused = clerk.post(
        f"/cms/antraege/{application.pk}/",
        {
            "schritt": "entscheidung",
            "entscheidung-decision": "ablehnen",
            "entscheidung-message": "Versuch",
        },
        HTTP_HOST=f"kreis.{BASE}",
    )
    assert (
        refused.status_code == 400 and "hier ist nichts zu entscheiden" in refused.content.decode()
    )
    with in_tenant("kreis"):
        application.refresh_from_db()
        assert application.status == Status.PAID
