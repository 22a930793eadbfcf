"""Issue 20, finding 2: an online form shows on every catalogue entry of the same service object;
search results carry an "online" badge; the search filter "nur online erledigen" (?online=1).

The service object is the LeiKa Leistungsobjekt, the first 8 digits of the key (services.online):
a form on the bare entry ("Hundesteuer", 99102013000000) is offered on "Hundesteuer Festsetzung"
and "Hundesteuer Befreiung" too; a form on one Verrichtung ("Gewerbe Anmeldung") is not offered
on another ("Gewerbe Abmeldung")."""

from __future__ import annotations

import re

from django.conf import settings

from services.online import object_entry_key, object_prefix

HOST = f"erkelenz.{settings.BASE_DOMAIN}"
HUNDESTEUER = "99102013000000"
HUNDESTEUER_FESTSETZUNG = "99102013002000"
HUNDESTEUER_BEFREIUNG = "99102013010000"
GEWERBE_ANMELDUNG = "99050012104000"
GEWERBE_ABMELDUNG = "99050012070000"
BUTTON = '<a class="button" href="/antraege/hund-anmelden/">Online beantragen</a>'


def _hits(html: str) -> list[tuple[str, bool]]:
    """(LeiKa key, has the online badge) of each search hit, in order."""
    items = re.findall(r"<li><a href=\"/leistungen/(\d{14})/\"[^>]*>(.*?)</li>", html, re.S)
    return [(key, '<span class="badge badge-online">online</span>' in rest) for key, rest in items]


def test_the_leistungsobjekt_is_the_first_eight_digits():
    assert object_prefix(HUNDESTEUER_FESTSETZUNG) == "99102013"
    assert object_entry_key(HUNDESTEUER_FESTSETZUNG) == HUNDESTEUER
    assert object_entry_key(HUNDESTEUER) == HUNDESTEUER


def test_the_dog_form_shows_on_every_entry_of_the_hundesteuer(client, db):
    for key in (HUNDESTEUER, HUNDESTEUER_FESTSETZUNG, HUNDESTEUER_BEFREIUNG):
        html = client.get(f"/leistungen/{key}/", HTTP_HOST=HOST).content.decode()
        assert BUTTON in html, key
    festsetzung = client.get(f"/leistungen/{HUNDESTEUER_FESTSETZUNG}/", HTTP_HOST=HOST)
    assert "Online-Antrag: <strong>Hund anmelden (Hundesteuer)</strong>" in (
        festsetzung.content.decode()
    )


def test_a_form_on_one_verrichtung_stays_there(client, db):
    anmeldung = client.get(f"/leistungen/{GEWERBE_ANMELDUNG}/", HTTP_HOST=HOST).content.decode()
    assert "Online beantragen" in anmeldung
    abmeldung = client.get(f"/leistungen/{GEWERBE_ABMELDUNG}/", HTTP_HOST=HOST).content.decode()
    assert "Online beantragen" not in abmeldung


def test_search_hits_carry_the_online_badge(client, db):
    html = client.get("/leistungen/", {"q": "Hund anmelden"}, HTTP_HOST=HOST).content.decode()
    hits = dict(_hits(html))
    assert hits, html
    assert hits.get(HUNDESTEUER_FESTSETZUNG) is True
    assert hits.get(HUNDESTEUER) is True
    assert not all(hits.values())  # the badge is not on everything


def test_filter_nur_online_erledigen(client, db):
    page = client.get("/leistungen/", {"q": "Hundesteuer"}, HTTP_HOST=HOST).content.decode()
    assert 'name="online" type="checkbox" value="1"' in page
    assert "nur online erledigen" in page
    everything = _hits(client.get("/leistungen/", {"q": "Steuer"}, HTTP_HOST=HOST).content.decode())
    only = _hits(
        client.get("/leistungen/", {"q": "Steuer", "online": "1"}, HTTP_HOST=HOST).content.decode()
    )
    assert only and all(badge for _, badge in only)
    assert len(only) < len(everything)
    assert {key for key, _ in only} == {key for key, badge in everything if badge}
    assert HUNDESTEUER_FESTSETZUNG in {key for key, _ in only}
