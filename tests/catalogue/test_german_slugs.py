"""Slugs keep German letters readable (issue 20, finding 9): "eheschliessung", not
"eheschlieung"; addresses made before the change redirect."""

from __future__ import annotations

from django.conf import settings
from django.utils.text import slugify

from kreisportal.text import german_slugify
from payments.amounts import euro
from services.models import LifeSituation, Topic

ERKELENZ = f"erkelenz.{settings.BASE_DOMAIN}:8000"


def test_german_letters_are_transliterated():
    assert german_slugify("Eheschließung") == "eheschliessung"
    assert german_slugify("Übach-Palenberg: Bürgerbüro") == "uebach-palenberg-buergerbuero"
    assert (
        german_slugify("Öffnungszeiten & Straßenreinigung") == "oeffnungszeiten-strassenreinigung"
    )
    assert german_slugify("Café Crème") == "cafe-creme"  # other accents as before


def test_catalogue_slugs_are_transliterated_and_old_addresses_redirect(client, db):
    situation = LifeSituation.objects.get(name="Eheschließung")
    assert situation.slug == "eheschliessung"
    assert not LifeSituation.objects.filter(slug__regex=r"[^a-z0-9-]").exists()
    for row in [*LifeSituation.objects.all(), *Topic.objects.all()]:
        assert row.slug.startswith(german_slugify(row.name.replace("&", "und"))), row.name
    page = client.get("/leistungen/lebenslagen/eheschliessung/", HTTP_HOST=ERKELENZ)
    assert page.status_code == 200 and "Eheschließung" in page.content.decode()
    old = client.get("/leistungen/lebenslagen/eheschlieung/", HTTP_HOST=ERKELENZ)
    assert old.status_code == 301
    assert old["Location"] == "/leistungen/lebenslagen/eheschliessung/"
    renamed = next(t for t in Topic.objects.all() if slugify(t.name.replace("&", "und")) != t.slug)
    before = slugify(renamed.name.replace("&", "und"))
    moved = client.get(f"/leistungen/themen/{before}/", HTTP_HOST=ERKELENZ)
    assert moved.status_code == 301 and moved["Location"].endswith(f"/{renamed.slug}/")
    assert (
        client.get("/leistungen/lebenslagen/gibt-es-nicht/", HTTP_HOST=ERKELENZ).status_code == 404
    )


def test_amounts_read_the_german_way():
    assert euro(2600) == "26,00 €"
    assert euro(123456) == "1.234,56 €"
    assert euro(5) == "0,05 €"
    assert euro(-1500) == "-15,00 €"
    assert euro(None) == ""
