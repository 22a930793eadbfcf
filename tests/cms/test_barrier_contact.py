"""Barrier reports reach somebody on every demo portal (issue 20, BITV feedback): each demo
tenant has a contact address (a clearly fictitious one where the tenant list has none), the
report goes there, and the confirmation says where it went - on the tenant it was sent to."""

from __future__ import annotations

from django.conf import settings

from tenants.demo import demo_contact_email, load_demo_tenants, seed_demo_tenants
from tenants.models import Tenant

BASE = settings.BASE_DOMAIN
REPORT = {
    "page_url": "/leistungen/",
    "description": "Der Kalender lässt sich mit der Tastatur nicht bedienen.",
    "name": "",
    "email": "",
}


def test_every_demo_tenant_has_a_contact_address(db):
    demo = load_demo_tenants()
    assert len(demo) == 11
    addresses = dict(
        Tenant.objects.filter(slug__in=[t.slug for t in demo]).values_list("slug", "contact_email")
    )
    assert set(addresses) == {t.slug for t in demo}
    for row in demo:
        assert addresses[row.slug] == row.contact_email != ""
    # the shared tenant list has no addresses: all are the reserved .example domain
    assert addresses["uebach-palenberg"] == "barrierefreiheit@uebach-palenberg.example"
    assert demo_contact_email("kreis") == "barrierefreiheit@kreis.example"


def test_seeding_again_keeps_an_address_the_district_entered(db):
    Tenant.objects.filter(slug="gangelt").update(contact_email="rathaus@gangelt.example")
    Tenant.objects.filter(slug="selfkant").update(contact_email="")
    seed_demo_tenants(actor="tests")
    addresses = dict(Tenant.objects.values_list("slug", "contact_email"))
    assert addresses["gangelt"] == "rathaus@gangelt.example"
    assert addresses["selfkant"] == "barrierefreiheit@selfkant.example"  # filled again


def test_the_report_goes_to_the_tenants_address_and_the_confirmation_says_so(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    gangelt = f"gangelt.{BASE}"
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/barriere-melden/", REPORT, HTTP_HOST=gangelt)
    assert sent.status_code == 302
    assert [m.to for m in mailoutbox] == [["barrierefreiheit@gangelt.example"]]
    thanks = client.get(sent["Location"], HTTP_HOST=gangelt).content.decode()
    assert 'href="mailto:barrierefreiheit@gangelt.example"' in thanks
    assert "Kontaktadresse der Verwaltung" in thanks
    # another portal's confirmation names its own address, never Gangelt's
    other = client.get("/barriere-melden/danke/", HTTP_HOST=f"heinsberg.{BASE}").content.decode()
    assert "barrierefreiheit@heinsberg.example" in other
    assert "barrierefreiheit@gangelt.example" not in other


def test_without_an_address_the_confirmation_says_the_report_is_stored(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    Tenant.objects.filter(slug="waldfeucht").update(contact_email="")
    host = f"waldfeucht.{BASE}"
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/barriere-melden/", REPORT, HTTP_HOST=host)
    assert sent.status_code == 302 and not mailoutbox
    thanks = client.get(sent["Location"], HTTP_HOST=host).content.decode()
    notice = thanks[thanks.index('class="notice"') :]
    notice = notice[: notice.index("</div>")]
    assert "Wir haben Ihre Meldung gespeichert" in notice and "mailto:" not in notice
