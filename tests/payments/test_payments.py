"""Payments: provider registry, sandbox hosted page, idempotent booking, isolation."""

from __future__ import annotations

import pytest
from django.conf import settings

from kreisportal.registry import Registry
from payments.actions import PaymentError, do_book_payment_event, do_create_payment
from payments.models import Payment, PaymentEvent
from payments.providers import PaymentProvider, registry
from services.accounts.models import Citizen
from tests.support.sso import Browser, sign_in

BASE = settings.BASE_DOMAIN


def host(slug: str) -> str:
    return f"{slug}.{BASE}:8000"


def test_registry_refuses_duplicate_ids_and_knows_the_sandbox():
    assert "sandbox" in registry
    own: Registry[PaymentProvider] = Registry()

    @own.register("demo")
    class Demo(PaymentProvider):
        pass

    with pytest.raises(ValueError, match="already registered"):
        own.register("demo")(Demo)
    with pytest.raises(KeyError):
        own["paypal"]


@pytest.mark.parametrize(
    ("provider", "amount", "message"),
    [
        ("bitcoin", 1000, "unknown payment provider"),
        ("sandbox", 0, "positive"),
        ("sandbox", -5, "positive"),
    ],
)
def test_bad_payments_are_refused(in_tenant, provider, amount, message):
    with in_tenant("kreis"):
        with pytest.raises(PaymentError, match=message):
            do_create_payment(provider=provider, amount_cents=amount, purpose="Test")
        assert not Payment.objects.exists()


def test_a_replayed_event_books_once_and_fulfils_once(
    in_tenant, django_capture_on_commit_callbacks
):
    fulfilled = []
    with in_tenant("kreis"):
        payment = do_create_payment(provider="sandbox", amount_cents=1500, purpose="Flurkarte")
        with django_capture_on_commit_callbacks(execute=True):
            results = [
                do_book_payment_event(
                    payment_id=payment.pk,
                    event_id="evt-1",
                    outcome="paid",
                    method="card",
                    on_paid=fulfilled.append,
                )
                for _ in range(100)
            ]
        assert [booked for _, booked in results].count(True) == 1
        assert PaymentEvent.objects.filter(payment=payment).count() == 1
        assert Payment.objects.get(pk=payment.pk).status == "paid"
        # a late failure for the same payment never undoes the booking
        _, booked = do_book_payment_event(payment_id=payment.pk, event_id="evt-2", outcome="failed")
        assert not booked and Payment.objects.get(pk=payment.pk).status == "paid"
    assert len(fulfilled) == 1


def test_sandbox_page_double_click_books_one_payment(in_tenant):
    browser = Browser()
    sign_in(browser, host("kreis"))
    with in_tenant("kreis"):
        citizen = Citizen.objects.get(pseudonym="sandbox-bpk2-erika-0001")
        payment = do_create_payment(
            provider="sandbox", amount_cents=2500, purpose="Liegenschaftskarte", payer=citizen
        )
    url = f"http://{host('kreis')}/zahlung/sandbox/{payment.pk}/?zurueck=/konto/"
    page = browser.get(url).content.decode()
    assert "25,00 €" in page and "kein Geld" in page
    for _ in range(2):  # double click
        response = browser.post(url, {"methode": "paypal", "ergebnis": "erfolg"})
        assert response.status_code == 302 and response["Location"] == "/konto/"
    with in_tenant("kreis"):
        payment.refresh_from_db()
        assert payment.status == "paid" and payment.method == "paypal"
        assert PaymentEvent.objects.filter(payment=payment).count() == 1
    assert "bereits abgeschlossen" in browser.get(url).content.decode()


def test_sandbox_page_bad_input_and_isolation(in_tenant):
    browser = Browser()
    sign_in(browser, host("kreis"))
    with in_tenant("kreis"):
        citizen = Citizen.objects.get(pseudonym="sandbox-bpk2-erika-0001")
        payment = do_create_payment(
            provider="sandbox", amount_cents=900, purpose="Auszug", payer=citizen
        )
    url = f"/zahlung/sandbox/{payment.pk}/"
    assert (
        browser.post(
            f"http://{host('kreis')}{url}", {"methode": "gold", "ergebnis": "erfolg"}
        ).status_code
        == 400
    )
    # another citizen, another tenant, a guessed id: 404
    stranger = Browser()
    sign_in(stranger, host("kreis"), persona="hannah", level="high")
    assert stranger.get(f"http://{host('kreis')}{url}").status_code == 404
    assert browser.get(f"http://{host('gangelt')}{url}").status_code == 404
    assert browser.get(f"http://{host('kreis')}/zahlung/sandbox/not-a-uuid/").status_code == 404
    with in_tenant("kreis"):
        assert Payment.objects.get(pk=payment.pk).status == "pending"


def test_a_paid_payment_is_routed_to_its_own_owner_only(
    in_tenant, monkeypatch, django_capture_on_commit_callbacks
):
    """The payment records what it pays for; booking "paid" calls that owner's one handler
    after commit — no broadcast that every app filters."""
    from payments import owners

    told: list[tuple[str, object]] = []
    monkeypatch.setattr(
        owners,
        "_owners",
        {
            "application": lambda payment: told.append(("application", payment.pk)),
            "cadastral_order": lambda payment: told.append(("cadastral_order", payment.pk)),
        },
    )
    with in_tenant("erkelenz"), django_capture_on_commit_callbacks() as callbacks:
        owned = do_create_payment(
            provider="sandbox", amount_cents=1500, purpose="Antrag", pays_for="cadastral_order"
        )
        ownerless = do_create_payment(provider="sandbox", amount_cents=1500, purpose="Test")
        for payment in (owned, ownerless):
            do_book_payment_event(
                payment_id=payment.pk, event_id=f"owner:{payment.pk}", outcome="paid"
            )
            # replayed: booked (and told) once
            do_book_payment_event(
                payment_id=payment.pk, event_id=f"owner:{payment.pk}", outcome="paid"
            )
        assert told == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert told == [("cadastral_order", owned.pk)]


def test_registering_a_second_owner_for_a_kind_is_refused():
    from payments.owners import owner_kinds, register_owner

    # one case: cadastral orders are applications, their fees pay for "application"
    assert "application" in owner_kinds() and "cadastral_order" not in owner_kinds()
    with pytest.raises(ValueError):
        register_owner("application", lambda payment: None)


def test_fees_record_what_they_pay_for_and_a_new_attempt_keeps_it(in_tenant):
    from payments.actions import do_next_attempt
    from services.accounts.actions import do_sign_in_citizen
    from services.fulfillment.actions import do_place_cadastral_order
    from services.fulfillment.models import Parcel

    with in_tenant("kreis"):
        citizen = do_sign_in_citizen(identity={"pseudonym": "owner-route", "level": "high"})
        order = do_place_cadastral_order(
            citizen=citizen,
            parcel=Parcel.objects.first(),
            product="flurstuecksnachweis",
            trust_level="high",
        )
        assert order.payment.pays_for == "application"
        do_book_payment_event(payment_id=order.payment_id, event_id="owner-fail", outcome="failed")
        retry, is_new = do_next_attempt(payment_id=order.payment_id, provider="sandbox")
        assert is_new and retry.pays_for == "application"


@pytest.mark.parametrize("name", ["sandbox", "card", "unbekannt", "ePayBL"])
def test_webhooks_exist_only_for_providers_that_declare_them(client, db, name):
    answer = client.post(
        f"/zahlung/webhooks/{name}/",
        data="{}",
        content_type="application/json",
        HTTP_HOST=f"erkelenz.{settings.BASE_DOMAIN}",
    )
    assert answer.status_code == 404
    assert "no payment provider" in answer.json()["error"]


def test_every_provider_with_webhooks_has_its_own_url():
    names = [provider.webhook_name for provider in registry if provider.webhook_name]
    assert sorted(names) == ["paypal", "stripe", "xbezahldienste"]
    assert len(set(names)) == len(names)


def test_start_returns_the_reference_and_only_the_action_stores_it(in_tenant, rf):
    """A provider answers with values; the payment row is written by payments.actions."""
    from payments.actions import do_start_payment
    from payments.providers import PaymentProvider, Redirect

    class Platform(PaymentProvider):
        def start(self, payment, request, *, return_path):
            return Redirect("https://pay.example/checkout/77", reference="ORDER-77")

    with in_tenant("erkelenz"):
        payment = do_create_payment(provider="sandbox", amount_cents=700, purpose="Test")
        redirect = Platform("sandbox").start(payment, rf.get("/"), return_path="/")
        assert Payment.objects.get(pk=payment.pk).provider_reference == ""
        registry._items["platform-test"] = Platform("platform-test")
        try:
            payment.provider = "platform-test"
            payment.save(update_fields=["provider"])
            redirect = do_start_payment(payment=payment, request=rf.get("/"), return_path="/")
        finally:
            del registry._items["platform-test"]
        assert redirect.url == "https://pay.example/checkout/77"
        assert Payment.objects.get(pk=payment.pk).provider_reference == "ORDER-77"
