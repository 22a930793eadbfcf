"""One case life cycle: a cadastral order is an application of the cadastre handler (one state
machine, one audit trail, one list in the citizen's account), and a submission's receipt is
rendered before the application's row is locked."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from services.accounts.actions import do_sign_in_citizen
from services.applications import actions
from services.applications.actions import do_save_draft, do_submit
from services.applications.models import Application, ApplicationForm
from services.postbox.models import PostboxMessage
from tests import factories
from tests.support.sso import Browser, sign_in

BASE = settings.BASE_DOMAIN
KREIS = f"kreis.{BASE}:8000"


def test_an_order_is_an_application_of_the_cadastre_handler(in_tenant):
    browser = Browser()
    sign_in(browser, KREIS)
    with in_tenant("kreis"):
        citizen = factories.citizen("sandbox-bpk2-erika-0001")
        order = factories.cadastral_order(citizen)
        case = Application.objects.get(public_id=order.pk)
        assert case.form.handling == "liegenschaftsauskunft"
        assert case.status == "awaiting_payment" and case.payment.amount_cents == 2500
        assert case.payment.pays_for == "application"
        assert [e.action for e in case.events.all()] == [
            "created",
            "submitted",
            "payment_requested",
        ]
        # the extract follows the payment within seconds: no separate receipt
        assert not PostboxMessage.objects.filter(citizen=citizen).exists()
        form_slug = case.form.slug
    account = browser.get(f"http://{KREIS}/konto/").content.decode()
    assert f'href="/liegenschaftsauskunft/auftrag/{order.pk}/">Liegenschaftskarte' in account
    assert "wartet auf Zahlung" in account
    # the generic form page of the cadastre's form leads to the order page
    generic = browser.get(f"http://{KREIS}/antraege/{form_slug}/")
    assert generic.status_code == 302 and generic["Location"] == "/liegenschaftsauskunft/"


def test_the_receipt_is_rendered_once_and_again_when_the_draft_changed_meanwhile(
    in_tenant, monkeypatch
):
    rendered: list[str] = []
    original = actions.render_receipt
    second_tab = []

    def recording(application):
        rendered.append(application.data.get("amtliches_kennzeichen", ""))
        if second_tab and len(rendered) == 1:  # a second tab saves between rendering and lock
            Application.objects.filter(pk=application.pk).update(
                data={**application.data, "amtliches_kennzeichen": "HS-NEU 1"},
                updated=timezone.now(),
            )
        return original(application)

    with in_tenant("erkelenz"):
        citizen = do_sign_in_citizen(identity={"pseudonym": "receipt-timing", "level": "high"})
        form = ApplicationForm.objects.get(slug="bewohnerparkausweis")
        values = {"amtliches_kennzeichen": "HS-ALT 1", "parkzone": "Zone A – Innenstadt"}
        monkeypatch.setattr(actions, "render_receipt", recording)
        untouched = do_save_draft(form=form, citizen=citizen, values=values, uploads={})
        do_submit(application=untouched)  # rendered once, before the lock
        assert rendered == ["HS-ALT 1"]

        changed = do_save_draft(form=form, citizen=citizen, values=values, uploads={})
        rendered.clear()
        second_tab.append(True)
        submitted = do_submit(application=changed)
        assert rendered == ["HS-ALT 1", "HS-NEU 1"]  # made again from what was submitted
        assert submitted.data["amtliches_kennzeichen"] == "HS-NEU 1"


def test_editors_do_not_see_the_cadastre_order_form_among_their_forms(client, in_tenant):
    from django.contrib.auth import get_user_model

    from services.fulfillment.actions import cadastre_form

    with in_tenant("kreis"):
        internal = cadastre_form()
        editor = get_user_model().objects.create_superuser("formulare-kreis")
        client.force_login(editor)
    listing = client.get("/cms/snippets/applications/applicationform/", HTTP_HOST=f"kreis.{BASE}")
    assert listing.status_code == 200
    assert f"/applicationform/edit/{internal.pk}/" not in listing.content.decode()
    with in_tenant("erkelenz"):
        own = ApplicationForm.objects.get(slug="bewohnerparkausweis")
        client.force_login(get_user_model().objects.create_superuser("formulare-erkelenz"))
    listing = client.get(
        "/cms/snippets/applications/applicationform/", HTTP_HOST=f"erkelenz.{BASE}"
    )
    assert f"/applicationform/edit/{own.pk}/" in listing.content.decode()


def test_fees_go_to_the_tenants_payment_provider_with_the_services_booking_data(in_tenant):
    from payments.models import PaymentSettings

    with in_tenant("erkelenz"):
        PaymentSettings.objects.update_or_create(
            pk=PaymentSettings.objects.values_list("pk", flat=True).first(),
            defaults={"provider": "xbezahldienste", "xbezahldienste_endpoint_id": "kasse"},
        )
        form = ApplicationForm.objects.select_related("local_service").get(
            slug="bewohnerparkausweis"
        )
        local = form.local_service
        local.booking_cost_centre, local.booking_account = "KST-4711", "SK-0815"
        local.save()
        draft = factories.draft(factories.citizen("fee-provider"))
        submitted = do_submit(application=draft)
        assert submitted.payment.provider == "xbezahldienste"
        assert submitted.payment.booking_data == {"costCentre": "KST-4711", "account": "SK-0815"}


def test_reconciliation_leaves_cases_another_system_completes_alone(in_tenant):
    """A case delivered to a back office (FIT-Connect) is completed there, not by produce():
    the reconciliation neither runs it nor stops at it."""
    from services.applications.actions import do_reconcile

    with in_tenant("erkelenz"):
        form = ApplicationForm.objects.filter(handling="fitconnect").first()
        assert form is not None  # the demo's FIT-Connect form
        citizen = factories.citizen("elsewhere")
        case = Application.objects.create(form=form, citizen=citizen, status="submitted")
        counts = do_reconcile(min_age_seconds=0)
        case.refresh_from_db()
        assert case.status == "submitted" and counts["automated"] == 0
