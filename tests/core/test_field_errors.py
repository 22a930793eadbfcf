"""Error fields read with their message (issue 20; WCAG 1.3.1, 3.3.1, 4.1.2): after a failed
POST (or the parcel search's GET) every field with an error carries aria-invalid="true" and an
aria-describedby that names its hint (where it has one) and its error message, both present on
the page under those ids; fields without an error carry neither. For each citizen form: online
application, appointment booking, barrier report, the Liegenschaftsauskunft's search and
legitimate interest, deleting the account."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client

from services.appointments.models import Appointment
from tests.appointments.test_appointments import ID_CARD, _schedule, _workday
from tests.cases.test_cadastral_interest import KREIS, ORDER, _erikas_parcel
from tests.support.sso import Browser, sign_in

pytestmark = pytest.mark.django_db

BASE = settings.BASE_DOMAIN
ERKELENZ = f"erkelenz.{BASE}:8000"


class _Page(HTMLParser):
    """Form controls by name and every element's text by id."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: dict[str, dict[str, str]] = {}
        self.texts: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []  # (tag, id) of the elements open now

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.controls.setdefault(attributes.get("name", ""), attributes)
        if tag not in ("input", "br", "img", "meta", "link", "hr", "source", "track"):
            self._open.append((tag, attributes.get("id")))
            if attributes.get("id"):
                self.texts[attributes["id"]] = ""

    def handle_endtag(self, tag):
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for _, element_id in self._open:
            if element_id:
                self.texts[element_id] += data


def _parse(response) -> _Page:
    page = _Page()
    page.feed(response.content.decode())
    return page


def assert_error_field(response, name: str, message: str, *, hint: str = "") -> None:
    """The control `name` is invalid and described by its hint (if any) and its error."""
    page = _parse(response)
    control = page.controls[name]
    assert control.get("aria-invalid") == "true", (name, control)
    described = control.get("aria-describedby", "").split()
    texts = [" ".join(page.texts.get(i, "").split()) for i in described]
    assert all(i in page.texts for i in described), (name, described)  # no dangling ids
    error_texts = [t for i, t in zip(described, texts, strict=True) if i.endswith("-error")]
    assert len(error_texts) == 1 and message in error_texts[0], (name, described, texts)
    assert error_texts[0].startswith("Fehler:")  # said before the message, visually hidden
    assert described[-1].endswith("-error")  # the hint first, then the error
    if hint:
        assert any(hint in t for i, t in zip(described, texts, strict=True) if "hint" in i)


def assert_valid_field(response, name: str) -> None:
    control = _parse(response).controls[name]
    assert "aria-invalid" not in control, (name, control)
    assert "-error" not in control.get("aria-describedby", ""), (name, control)


def test_online_application():
    browser = Browser()
    sign_in(browser, ERKELENZ)
    answer = browser.post(
        f"http://{ERKELENZ}/antraege/hund-anmelden/",
        {
            "aktion": "pruefen",
            "rasse_oder_mischung": "Labrador",
            "wurfdatum_des_hundes": "31.02.2024",
            "hund_gehalten_seit": "15.05.2024",
            "chipnummer": "12ab",
        },
    )
    assert answer.status_code == 400
    assert_error_field(answer, "chipnummer", "genau 15 Ziffern")
    assert_error_field(answer, "wurfdatum_des_hundes", "TT.MM.JJJJ", hint="Format TT.MM.JJJJ")
    assert_valid_field(answer, "rasse_oder_mischung")
    assert_valid_field(answer, "hund_gehalten_seit")
    # the hint alone, without an error, is still read with the field
    control = _parse(answer).controls["hund_gehalten_seit"]
    assert control["aria-describedby"] == "id_hund_gehalten_seit-hint"


def test_appointment_booking(in_tenant):
    with in_tenant("erkelenz"):
        schedule = _schedule(counters=1)
    client = Client(HTTP_HOST=f"erkelenz.{BASE}")
    answer = client.post(
        f"/termine/{schedule.pk}/buchen/",
        {
            "leistung": [ID_CARD],
            "beginn": f"{_workday().isoformat()}T08:00",
            "name": "Erika Mustermann",
            "email": "keine-adresse",
        },
    )
    assert answer.status_code == 400
    assert_error_field(answer, "email", "gültige E-Mail")
    assert_valid_field(answer, "name")
    with in_tenant("erkelenz"):
        assert not Appointment.objects.filter(schedule=schedule).exists()


def test_barrier_report(client):
    answer = client.post(
        "/barriere-melden/",
        {"description": "kaputt", "email": "keine-adresse"},
        HTTP_HOST=f"gangelt.{BASE}",
    )
    assert answer.status_code == 400
    assert_error_field(answer, "description", "mindestens 10 Zeichen", hint="Screenreader")
    assert_error_field(answer, "email", "gültige E-Mail-Adresse")
    assert_valid_field(answer, "name")
    assert_valid_field(answer, "page_url")


def test_cadastral_search(client):
    answer = client.get(
        "/liegenschaftsauskunft/", {"flur": "drei", "flurstueck": "12"}, HTTP_HOST=KREIS
    )
    assert answer.status_code == 400
    assert_error_field(answer, "flur", "„drei“ ist keine gültige Nummer.")
    assert_valid_field(answer, "flurstueck")
    assert 'href="#flur"' in answer.content.decode()  # the summary leads to the field


def test_cadastral_legitimate_interest(in_tenant):
    parcel = _erikas_parcel(in_tenant)
    hannah = Browser()
    sign_in(hannah, KREIS, persona="hannah", level="high")
    answer = hannah.post(
        ORDER,
        {"parcel": parcel.pk, "product": "eigentumsnachweis", "grund": "", "begruendung": "x"},
    )
    assert answer.status_code == 400
    assert_error_field(answer, "grund", "Bitte wählen Sie Ihren Anlass.")
    assert_error_field(answer, "begruendung", "mindestens 20 Zeichen", hint="Eigentümer")


def test_deleting_the_account_without_the_confirmation(in_tenant):
    browser = Browser()
    sign_in(browser, ERKELENZ)
    answer = browser.post(f"http://{ERKELENZ}/konto/loeschen/", {})
    assert answer.status_code == 400
    assert_error_field(answer, "confirm", "Bitte bestätigen Sie")
    assert "data-error-summary" in answer.content.decode()
    assert browser.get(f"http://{ERKELENZ}/konto/").status_code == 200  # still there


@pytest.mark.parametrize(
    "path", ["/barriere-melden/", "/antraege/hund-anmelden/", "/konto/loeschen/"]
)
def test_no_field_is_invalid_before_the_citizen_sent_anything(path):
    browser = Browser()
    sign_in(browser, ERKELENZ)
    html = browser.get(f"http://{ERKELENZ}{path}").content.decode()
    assert "aria-invalid" not in html and "-error" not in html.split("<main", 1)[1]
