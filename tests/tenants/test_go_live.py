"""The go-live checklist's catalogue items (offices of the Bürgerbüro, the local catalogue
reviewed), the editors' "Katalog geprüft" and `kreisportal tenant go-live SLUG`."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django_tenants.utils import schema_context

from kreisportal.cli import main
from services.local.checklist import OFFICES_OPEN, REVIEW_OPEN
from services.local.models import Office
from tenants.actions import catalogue_reviewed, do_create_tenant, open_go_live_items
from tenants.models import Tenant, TenantAuditEntry
from tests.support.legal import complete_and_publish_legal_pages

HOST = "musterstadt.localhost"


@pytest.fixture
def musterstadt(db) -> Tenant:
    return do_create_tenant(
        name="Stadt Musterstadt",
        slug="musterstadt",
        kind="municipality",
        ags="05358008",  # a real key no demo tenant has
        status=Tenant.Status.PREPARING,
        actor="test",
    )


def editor(schema: str, groups=("Moderators",)) -> Client:
    with schema_context(schema):
        user = get_user_model().objects.create_user(
            "katalog", password="Geheim-2026!", is_staff=True
        )
        user.groups.add(*Group.objects.filter(name__in=groups))
        client = Client()
        assert client.login(username="katalog", password="Geheim-2026!")  # noqa: S106
    return client


def test_a_new_portal_lists_offices_and_the_catalogue_review_as_open(musterstadt):
    items = open_go_live_items(musterstadt)
    assert OFFICES_OPEN in items and REVIEW_OPEN in items
    with schema_context(musterstadt.schema_name):
        Office.objects.create(
            name="Bürgerbüro", street="Marktplatz 1", postcode="41800", city="Musterstadt"
        )
    items = open_go_live_items(musterstadt)
    assert OFFICES_OPEN not in items and REVIEW_OPEN in items


def test_katalog_geprueft_records_the_review_and_closes_the_item(musterstadt):
    client = editor(musterstadt.schema_name)
    dashboard = client.get("/cms/", HTTP_HOST=HOST).content.decode()
    assert REVIEW_OPEN in dashboard and "/cms/katalog-pruefen/" in dashboard
    page = client.get("/cms/katalog-pruefen/", HTTP_HOST=HOST)
    assert page.status_code == 200
    assert "Leistungen werden angeboten" in page.content.decode()
    # a GET records nothing
    assert catalogue_reviewed(musterstadt) is None
    done = client.post("/cms/katalog-pruefen/", HTTP_HOST=HOST)
    assert done.status_code == 302
    review = catalogue_reviewed(musterstadt)
    assert review is not None and review.actor == "katalog"
    assert REVIEW_OPEN not in open_go_live_items(musterstadt)
    # it is this portal's review only
    assert catalogue_reviewed(Tenant.objects.get(slug="gangelt")) is None


def test_katalog_pruefen_needs_the_catalogue_permission(musterstadt):
    with schema_context(musterstadt.schema_name):
        Group.objects.create(name="Nur Zugang").permissions.add(
            *Group.objects.get(name="Redaktion").permissions.filter(codename="access_admin")
        )
    client = editor(musterstadt.schema_name, groups=("Nur Zugang",))
    refused = client.post("/cms/katalog-pruefen/", HTTP_HOST=HOST)
    assert refused.status_code in (302, 403)
    assert Client().post("/cms/katalog-pruefen/", HTTP_HOST=HOST).status_code == 302
    assert catalogue_reviewed(musterstadt) is None


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()  # what the fixtures printed (log lines of the tenant's creation)
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_go_live_refuses_while_the_checklist_is_open(capsys, musterstadt):
    entries = TenantAuditEntry.objects.count()
    code, out, err = run(capsys, "tenant", "go-live", "musterstadt")
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith("kreisportal: error: go-live checklist of 'musterstadt' is not complete")
    assert "Impressum veröffentlichen" in err and REVIEW_OPEN in err
    assert Tenant.objects.get(pk=musterstadt.pk).is_preparing
    assert TenantAuditEntry.objects.count() == entries
    code, _, err = run(capsys, "tenant", "go-live", "gangelt")  # live already
    assert code == 1 and "not in preparation" in err
    code, _, err = run(capsys, "tenant", "go-live", "aachen")
    assert code == 1 and err.strip() == "kreisportal: error: unknown tenant 'aachen'"


def complete_checklist(tenant: Tenant) -> None:
    """Everything the checklist asks for, done the way editors leave it."""
    from django.core.files.base import ContentFile
    from django.utils import timezone
    from wagtail.images import get_image_model
    from wagtail.models import Site

    from cms.branding import BrandingSettings
    from tenants.actions import do_record_catalogue_review

    with schema_context(tenant.schema_name):
        complete_and_publish_legal_pages()
        logo = get_image_model()(
            title="Logo",
            file=ContentFile(
                b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', name="logo.svg"
            ),
        )
        logo.save()
        branding = BrandingSettings.for_site(Site.objects.get())
        branding.logo = logo
        branding.save()
        user = get_user_model().objects.create_user("erika", is_staff=True)
        user.groups.add(Group.objects.get(name="Redaktion"))
        get_user_model().objects.filter(pk=user.pk).update(last_login=timezone.now())
        Office.objects.create(
            name="Bürgerbüro", street="Marktplatz 1", postcode="41800", city="Musterstadt"
        )
    do_record_catalogue_review(tenant=tenant, actor="erika")


def test_cli_go_live_switches_once_the_checklist_is_green(capsys, musterstadt):
    complete_checklist(musterstadt)
    assert open_go_live_items(musterstadt) == []
    code, out, err = run(capsys, "tenant", "go-live", "musterstadt")
    assert code == 0, err
    assert "musterstadt is live" in out
    assert Tenant.objects.get(pk=musterstadt.pk).status == Tenant.Status.ACTIVE
    assert TenantAuditEntry.objects.filter(tenant_slug="musterstadt", action="went_live").exists()


def test_legal_pages_published_with_places_still_marked_keep_the_checklist_open(musterstadt):
    """Publishing a draft as it came (with its „BITTE ERGÄNZEN“ places) is not enough to go
    live; once the places are filled in and published again, the item closes."""
    from cms.legal import TO_COMPLETE, LegalPage
    from tenants.actions import do_go_live
    from tenants.errors import TenantActionError

    complete_checklist(musterstadt)
    with schema_context(musterstadt.schema_name):
        privacy = LegalPage.objects.get(kind="datenschutz")
        privacy.body += f"<p><b>[{TO_COMPLETE}: Speicherdauer]</b></p>"
        privacy.save_revision().publish()
    open_items = open_go_live_items(musterstadt)
    assert open_items == [
        f"Datenschutzerklärung: die mit „{TO_COMPLETE}“ markierten Stellen ausfüllen und neu "
        "veröffentlichen"
    ]
    with pytest.raises(TenantActionError) as refused:
        do_go_live(tenant=musterstadt, actor="test")
    assert "kann noch nicht live gehen" in refused.value.for_admin
    assert TO_COMPLETE in refused.value.for_admin
    assert Tenant.objects.get(pk=musterstadt.pk).is_preparing
    # the editors' dashboard links the page to its editor
    dashboard = editor(musterstadt.schema_name).get("/cms/", HTTP_HOST=HOST).content.decode()
    assert f"Datenschutzerklärung enthält noch Stellen „{TO_COMPLETE}“" in dashboard
    assert f'href="/cms/pages/{privacy.pk}/edit/"' in dashboard
    # a marker in an unpublished draft does not count: the published text is what citizens read
    with schema_context(musterstadt.schema_name):
        privacy = LegalPage.objects.get(kind="datenschutz")
        privacy.body = privacy.body.replace(f"<p><b>[{TO_COMPLETE}: Speicherdauer]</b></p>", "")
        privacy.save_revision().publish()
        impressum = LegalPage.objects.get(kind="impressum")
        impressum.body += f"<p><b>[{TO_COMPLETE}: noch ein Absatz]</b></p>"
        impressum.save_revision()  # a draft, not published
    assert open_go_live_items(musterstadt) == []
    # another portal's markers are not Musterstadt's
    assert not any(
        TO_COMPLETE in item for item in open_go_live_items(Tenant.objects.get(slug="gangelt"))
    )
