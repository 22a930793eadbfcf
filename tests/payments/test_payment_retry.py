"""Payments change state only by POST or a provider's confirmation; a failed or cancelled payment
is replaced by a new attempt; a late "paid" on a replaced attempt is neither lost nor kept twice;
webhooks refuse bodies that are not a JSON event object (issue 13, findings 4, 5 and 9)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from payments.actions import do_book_payment_event, do_create_payment, do_start_payment
from payments.models import Payment, PaymentEvent
from services.applications.models import Application, Status
from services.fulfillment.models import CadastralOrder
from tests.cases.test_applications import ERKELENZ, _citizen_browser, _submit_parking_permit
from tests.cases.test_cadastral_extract import KREIS, _owned_parcel
from tests.payments.test_payment_providers import (  # noqa: F401 - fixture
    _request,
    _stripe_signature,
    fake_api,
)
from tests.support.sso import Browser, sign_in

BASE = settings.BASE_DOMAIN
KREIS_HOST = f"kreis.{BASE}"


@pytest.fixture
def eager_tasks():
    from kreisportal.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


# --- finding 4: a GET never changes a payment -----------------------------------------------------


def test_paypal_return_url_refuses_payments_of_other_providers(in_tenant, client):
    with in_tenant("kreis"):
        sandbox = do_create_payment(provider="sandbox", amount_cents=1500, purpose="Auszug")
        card = do_create_payment(provider="card", amount_cents=1500, purpose="Auszug")
    for payment in (sandbox, card):
        for query in ("&abbruch=1", ""):
            answer = client.get(
                f"/zahlung/paypal/rueckkehr/?zahlung={payment.pk}&zurueck=/konto/{query}",
                HTTP_HOST=KREIS_HOST,
            )
            assert answer.status_code == 404
    with in_tenant("kreis"):
        assert set(Payment.objects.values_list("status", flat=True)) == {"pending"}
        assert not PaymentEvent.objects.exists()


@pytest.mark.usefixtures("fake_api")
def test_paypal_cancel_return_books_nothing_and_says_so(in_tenant, client):
    with in_tenant("kreis"):
        payment = do_create_payment(provider="paypal", amount_cents=2500, purpose="Karte")
        do_start_payment(payment=payment, request=_request(), return_path="/konto/")
    url = f"/zahlung/paypal/rueckkehr/?zahlung={payment.pk}&zurueck=/konto/&abbruch=1"
    for _ in range(2):
        answer = client.get(url, HTTP_HOST=KREIS_HOST)
        assert answer.status_code == 200
        page = answer.content.decode()
        assert "Zahlung abgebrochen" in page and 'href="/konto/"' in page
    assert client.post(url, {}, HTTP_HOST=KREIS_HOST).status_code == 405
    with in_tenant("kreis"):
        payment.refresh_from_db()
        assert payment.status == "pending"
        assert not PaymentEvent.objects.filter(payment=payment).exists()
    # PayPal does not void an order on cancel: approved in another tab, it is still captured
    back = client.get(
        f"/zahlung/paypal/rueckkehr/?zahlung={payment.pk}&zurueck=/konto/", HTTP_HOST=KREIS_HOST
    )
    assert back.status_code == 302 and back["Location"] == "/konto/"
    with in_tenant("kreis"):
        assert Payment.objects.get(pk=payment.pk).status == "paid"


def test_sandbox_page_never_books_another_providers_payment(in_tenant, client):
    with in_tenant("kreis"):
        paypal = do_create_payment(provider="paypal", amount_cents=2500, purpose="Karte")
        card = do_create_payment(provider="card", amount_cents=2500, purpose="Karte")
    for payment in (paypal, card):
        url = f"/zahlung/sandbox/{payment.pk}/?zurueck=/konto/"
        assert client.get(url, HTTP_HOST=KREIS_HOST).status_code == 404
        paid = client.post(url, {"methode": "card", "ergebnis": "erfolg"}, HTTP_HOST=KREIS_HOST)
        assert paid.status_code == 404
    with in_tenant("kreis"):
        assert set(Payment.objects.values_list("status", flat=True)) == {"pending"}


# --- findings 5 and 9: webhook bodies and methods --------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000,
        '{"a":' * 100_000,
        "[" * 50 + "]" * 50,
        json.dumps([{"event_type": "PAYMENT.CAPTURE.COMPLETED"}]),
        json.dumps("PAYMENT.CAPTURE.COMPLETED"),
        "42",
        "null",
        "\xff\xfe",
    ],
    ids=["deep-list", "deep-object", "list", "list-of-events", "string", "number", "null", "bytes"],
)
@pytest.mark.usefixtures("fake_api")
def test_paypal_webhook_refuses_bodies_that_are_not_an_event_object(db, client, body):
    answer = client.post(
        "/zahlung/webhooks/paypal/",
        body.encode("latin-1") if body == "\xff\xfe" else body,
        content_type="application/json",
        HTTP_HOST=KREIS_HOST,
    )
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/json" and answer.json()["error"]
    assert not [c for c in fake_api_calls() if "verify-webhook-signature" in c[1]]


def fake_api_calls():
    from tests.payments.test_payment_providers import FakeAPI

    return FakeAPI.calls


@pytest.mark.usefixtures("fake_api")
def test_verified_paypal_event_of_an_odd_shape_is_answered_not_crashed(db, client):
    odd = {"id": "WH-ODD", "event_type": "PAYMENT.CAPTURE.COMPLETED", "resource": [1, 2]}
    answer = client.post(
        "/zahlung/webhooks/paypal/",
        json.dumps(odd),
        content_type="application/json",
        HTTP_HOST=KREIS_HOST,
        HTTP_PAYPAL_TRANSMISSION_SIG="valid-signature",
    )
    assert answer.status_code == 200 and answer.json() == {"received": True}


@pytest.mark.parametrize(
    "payload",
    [
        b"[" * 100_000,
        b"[1, 2]",
        b'"checkout.session.completed"',
        json.dumps(
            {"id": "evt_odd", "type": "checkout.session.completed", "data": {"object": [1]}}
        ).encode(),
        json.dumps({"type": "checkout.session.completed"}).encode(),
    ],
    ids=["deep", "list", "string", "odd-object", "no-id"],
)
@pytest.mark.usefixtures("fake_api")
def test_signed_stripe_webhook_of_a_bad_shape_is_refused_or_ignored(in_tenant, client, payload):
    answer = client.post(
        "/zahlung/webhooks/stripe/",
        payload,
        content_type="application/json",
        HTTP_HOST=KREIS_HOST,
        HTTP_STRIPE_SIGNATURE=_stripe_signature(payload),
    )
    assert answer.status_code in (200, 400), answer.content[:200]
    assert answer["Content-Type"] == "application/json"
    if answer.status_code == 200:
        assert answer.json() == {"received": True}
    with in_tenant("kreis"):
        assert not PaymentEvent.objects.exists()


@pytest.mark.parametrize("provider", ["paypal", "stripe"])
@pytest.mark.parametrize("method", ["get", "put", "delete", "head"])
def test_webhooks_answer_other_methods_with_a_json_405(db, client, provider, method):
    answer = getattr(client, method)(f"/zahlung/webhooks/{provider}/", HTTP_HOST=KREIS_HOST)
    assert answer.status_code == 405 and answer["Allow"] == "POST"
    if method != "head":
        assert answer.json() == {"error": "method not allowed", "allowed": ["POST"]}


# --- a failed or cancelled payment is replaced by a new attempt -----------------------------------


def _cancel_at_sandbox(browser: Browser, host: str, location: str) -> None:
    cancelled = browser.post(f"http://{host}{location}", {"methode": "card", "ergebnis": "abbruch"})
    assert cancelled.status_code == 302


def test_cancelled_application_payment_is_replaced_by_a_new_attempt(
    in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    browser = _citizen_browser()
    with in_tenant("erkelenz"), django_capture_on_commit_callbacks(execute=True):
        application = _submit_parking_permit(browser)
    detail = f"http://{ERKELENZ}/antraege/vorgang/{application.public_id}/"
    first = browser.post(f"{detail}bezahlen/", {})
    _cancel_at_sandbox(browser, ERKELENZ, first["Location"])
    page = browser.get(detail).content.decode()
    assert "Erneut bezahlen" in page and "abgebrochen" in page
    form = page[page.index(f'action="/antraege/vorgang/{application.public_id}/bezahlen/"') :]
    assert 'name="csrfmiddlewaretoken"' in form[: form.index("</form>")]
    again = browser.post(f"{detail}bezahlen/", {})
    assert again.status_code == 302 and again["Location"] != first["Location"]
    with in_tenant("erkelenz"):
        application.refresh_from_db()
        old = Payment.objects.get(pk=first["Location"].split("/")[3])
        assert old.status == "cancelled" and old.replaced_by == application.payment
        assert application.payment.status == "pending"
        assert application.payment.amount_cents == old.amount_cents
        assert application.payment.payer_id == old.payer_id
        assert application.events.filter(action="payment_renewed").count() == 1
        assert PaymentEvent.objects.filter(payment=old, kind="replaced").count() == 1
    # pressing again while the new attempt is open reuses it (sandbox: never handed out)
    assert browser.post(f"{detail}bezahlen/", {})["Location"] == again["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(
            f"http://{ERKELENZ}{again['Location']}", {"methode": "card", "ergebnis": "erfolg"}
        )
    with in_tenant("erkelenz"):
        application.refresh_from_db()
        assert application.status == Status.PAID and application.payment.status == "paid"
    # a paid application offers no payment any more
    assert browser.post(f"{detail}bezahlen/", {})["Location"] == detail.split(ERKELENZ)[1]
    assert "bezahlen" not in browser.get(detail).content.decode().split("<h2>Verlauf")[0]


def _application_with_two_attempts(browser, in_tenant, capture) -> tuple[Application, str, str]:
    """An application whose first payment was cancelled and replaced; (app, old id, new id)."""
    with in_tenant("erkelenz"), capture(execute=True):
        application = _submit_parking_permit(browser)
    detail = f"http://{ERKELENZ}/antraege/vorgang/{application.public_id}/"
    first = browser.post(f"{detail}bezahlen/", {})
    _cancel_at_sandbox(browser, ERKELENZ, first["Location"])
    second = browser.post(f"{detail}bezahlen/", {})
    return application, first["Location"].split("/")[3], second["Location"].split("/")[3]


def test_late_paid_old_attempt_pays_the_application_and_a_second_payment_is_refunded(
    in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    browser = _citizen_browser()
    application, old, new = _application_with_two_attempts(
        browser, in_tenant, django_capture_on_commit_callbacks
    )
    with in_tenant("erkelenz"):
        # the provider confirms the first attempt after all (a capture that completed late)
        with django_capture_on_commit_callbacks(execute=True):
            _, booked = do_book_payment_event(
                payment_id=old, event_id="late-capture", outcome="paid", method="paypal"
            )
        assert booked
        application.refresh_from_db()
        assert application.status == Status.PAID and str(application.payment_id) == old
        assert application.events.filter(action="payment_switched").count() == 1
        # and the citizen pays the open second attempt too: that one is given back
        with django_capture_on_commit_callbacks(execute=True):
            do_book_payment_event(payment_id=new, event_id="second", outcome="paid", method="card")
        assert Payment.objects.get(pk=new).status == "refunded"
        assert Payment.objects.get(pk=old).status == "paid"
        application.refresh_from_db()
        assert application.status == Status.PAID and str(application.payment_id) == old
        assert application.events.filter(action="payment_refund").count() == 1
        assert application.events.filter(to_status=Status.PAID).count() == 1


def test_late_paid_old_attempt_after_the_new_one_was_paid_is_refunded(
    in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    browser = _citizen_browser()
    application, old, new = _application_with_two_attempts(
        browser, in_tenant, django_capture_on_commit_callbacks
    )
    with in_tenant("erkelenz"):
        with django_capture_on_commit_callbacks(execute=True):
            do_book_payment_event(payment_id=new, event_id="new-paid", outcome="paid")
            do_book_payment_event(payment_id=old, event_id="old-paid", outcome="paid")
        application.refresh_from_db()
        assert application.status == Status.PAID and str(application.payment_id) == new
        assert Payment.objects.get(pk=old).status == "refunded"
        assert Payment.objects.get(pk=new).status == "paid"


def test_reconciliation_settles_a_late_paid_attempt_whose_handler_never_ran(
    in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    from services.applications.tasks import reconcile_applications

    browser = _citizen_browser()
    application, old, new = _application_with_two_attempts(
        browser, in_tenant, django_capture_on_commit_callbacks
    )
    with in_tenant("erkelenz"):
        # booked, then the process died before its after-commit handler (nothing captured)
        do_book_payment_event(payment_id=old, event_id="late", outcome="paid")
        do_book_payment_event(payment_id=new, event_id="also", outcome="paid")
        application.refresh_from_db()
        assert application.status == Status.AWAITING_PAYMENT
        with django_capture_on_commit_callbacks(execute=True):
            reconcile_applications(min_age_seconds=0)
        application.refresh_from_db()
        assert application.status == Status.PAID
        kept = {str(application.payment_id)}
        statuses = dict(Payment.objects.filter(pk__in=[old, new]).values_list("pk", "status"))
        assert sorted(statuses.values()) == ["paid", "refunded"]
        assert {str(pk) for pk, status in statuses.items() if status == "paid"} == kept
        with django_capture_on_commit_callbacks(execute=True):
            assert reconcile_applications(min_age_seconds=0) == {
                "paid": 0,
                "automated": 0,
                "refunded": 0,
            }
        assert application.events.filter(action="payment_refund").count() == 1


def test_fee_booked_after_withdrawal_is_refunded(
    in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    browser = _citizen_browser()
    with in_tenant("erkelenz"), django_capture_on_commit_callbacks(execute=True):
        application = _submit_parking_permit(browser)
    detail = f"http://{ERKELENZ}/antraege/vorgang/{application.public_id}/"
    assert browser.post(f"{detail}zurueckziehen/", {}).status_code == 302
    with in_tenant("erkelenz"):
        application.refresh_from_db()
        assert application.status == Status.CANCELLED
        assert application.payment.status == "cancelled"
        # the checkout was finished in another tab: the provider took the money
        with django_capture_on_commit_callbacks(execute=True):
            _, booked = do_book_payment_event(
                payment_id=application.payment_id, event_id="stripe:late", outcome="paid"
            )
        assert booked
        application.refresh_from_db()
        assert application.status == Status.CANCELLED
        assert application.payment.status == "refunded"


@pytest.mark.usefixtures("fake_api")
def test_replaced_paypal_order_is_never_overwritten(in_tenant, settings):
    """A pending payment already handed to PayPal (cancelled there, or still open in another
    tab) keeps its order: "Jetzt bezahlen" again creates a new attempt with its own order."""
    from services.applications.actions import do_prepare_payment

    settings.PAYMENT_PROVIDER = "paypal"
    browser = _citizen_browser()
    with in_tenant("erkelenz"):
        application = _submit_parking_permit(browser)
        first = do_prepare_payment(application=application)
        do_start_payment(payment=first, request=_request(), return_path="/konto/")
        second = do_prepare_payment(application=application)
        assert second.pk != first.pk and second.replaces_id == first.pk
        first.refresh_from_db()
        assert first.status == "pending" and first.provider_reference == "5O190127TN364715T"
        # never started at the provider yet: pressing again reuses it
        assert do_prepare_payment(application=application).pk == second.pk


# --- cadastral orders -------------------------------------------------------------------------


def test_cancelled_order_payment_is_paid_again_from_the_status_page(
    in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    parcel = _owned_parcel(in_tenant)
    browser = Browser()
    sign_in(browser, KREIS, persona="erika", level="substantial")
    ordered = browser.post(
        f"http://{KREIS}/liegenschaftsauskunft/bestellen/",
        {"parcel": parcel.pk, "product": "flurstuecksnachweis"},
    )
    assert ordered.status_code == 302
    _cancel_at_sandbox(browser, KREIS, ordered["Location"])
    with in_tenant("kreis"):
        order = CadastralOrder.objects.get()
        old = order.payment_id
    status_url = f"http://{KREIS}/liegenschaftsauskunft/auftrag/{order.pk}/"
    page = browser.get(status_url).content.decode()
    assert "Erneut bezahlen" in page and f"/zahlung/sandbox/{old}/" not in page
    form = page[page.index(f'action="/liegenschaftsauskunft/auftrag/{order.pk}/bezahlen/"') :]
    assert 'name="csrfmiddlewaretoken"' in form[: form.index("</form>")]
    assert browser.get(f"{status_url}bezahlen/").status_code == 405
    again = browser.post(f"{status_url}bezahlen/", {})
    assert again.status_code == 302 and again["Location"].startswith("/zahlung/sandbox/")
    new = again["Location"].split("/")[3]
    assert new != str(old)
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(
            f"http://{KREIS}{again['Location']}", {"methode": "card", "ergebnis": "erfolg"}
        )
    with in_tenant("kreis"):
        order.refresh_from_db()
        assert order.status == "completed" and str(order.payment_id) == new
        assert Payment.objects.get(pk=old).status == "cancelled"
        assert Payment.objects.get(pk=old).replaced_by.pk == order.payment_id
        # a late "paid" on the cancelled attempt is not kept: refunded, nothing delivered twice
        with django_capture_on_commit_callbacks(execute=True):
            do_book_payment_event(payment_id=old, event_id="late", outcome="paid")
        assert Payment.objects.get(pk=old).status == "refunded"
        order.refresh_from_db()
        assert str(order.payment_id) == new
    from services.postbox.models import PostboxMessage

    with in_tenant("kreis"):
        assert PostboxMessage.objects.filter(citizen=order.citizen).count() == 1
    # another citizen cannot pay (or replace) this order's payment
    stranger = Browser()
    sign_in(stranger, KREIS, persona="hannah", level="high")
    assert stranger.post(f"{status_url}bezahlen/", {}).status_code == 404


def test_order_reconciliation_links_a_late_paid_attempt(
    in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    from services.accounts.models import Citizen
    from services.applications.tasks import reconcile_applications
    from services.fulfillment.actions import do_place_cadastral_order, do_prepare_order_payment

    parcel = _owned_parcel(in_tenant)
    sign_in(Browser(), KREIS)  # the citizen's record in the district portal
    with in_tenant("kreis"):
        citizen = Citizen.objects.get(pseudonym="sandbox-bpk2-erika-0001")
        order = do_place_cadastral_order(
            citizen=citizen, parcel=parcel, product="liegenschaftskarte", trust_level="basic"
        )
        old = order.payment_id
        do_book_payment_event(payment_id=old, event_id="failed", outcome="failed")
        new = do_prepare_order_payment(order=order)
        assert new.pk != old and new.replaces_id == old
        # the failed attempt is confirmed paid after all, and the handler never ran
        do_book_payment_event(payment_id=old, event_id="late", outcome="paid")
        with django_capture_on_commit_callbacks(execute=True):
            assert reconcile_applications(min_age_seconds=0)["automated"] == 1
        order.refresh_from_db()
        assert order.status == "completed" and order.payment_id == old
        assert Payment.objects.get(pk=new.pk).status == "pending"
        with django_capture_on_commit_callbacks(execute=True):
            assert reconcile_applications(min_age_seconds=0)["automated"] == 0
