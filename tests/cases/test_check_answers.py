"""Forms check before they bind (issue 20, finding 6): field rules an editor sets (a pattern
with a human message, dates in the past or future, number ranges), German date input, the
error summary, "Angaben prüfen" with "ändern" before "verbindlich absenden" (also with the
BundID step-up at "substanziell"), and the confirmation panel with reference and receipt."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kreisportal.celery import app
from services.applications.models import Application, ApplicationForm, ApplicationFormField
from tests.cases.test_applications import PNG, _editor, _form_post, review_token
from tests.support.sso import Browser, needs_step_up, sign_in, step_up

BASE = settings.BASE_DOMAIN
ERKELENZ = f"erkelenz.{BASE}:8000"
DOG = f"http://{ERKELENZ}/antraege/hund-anmelden/"
GOOD_DOG = {
    "rasse_oder_mischung": "Labrador",
    "wurfdatum_des_hundes": "01.03.2024",
    "hund_gehalten_seit": "15.05.2024",
    "chipnummer": "276098106543210",
}


@pytest.fixture
def eager_tasks():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def _signed_in(persona="erika", level="basic") -> Browser:
    browser = Browser()
    sign_in(browser, ERKELENZ, persona=persona, level=level)
    return browser


def test_field_rules_refuse_bad_input_in_words_and_keep_the_rest(in_tenant):
    browser = _signed_in()
    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d.%m.%Y")
    answer = browser.post(
        DOG,
        {
            **GOOD_DOG,
            "aktion": "pruefen",
            "chipnummer": "12ab",
            "wurfdatum_des_hundes": tomorrow,
            "hund_gehalten_seit": "2024-13-45",
        },
    )
    page = answer.content.decode()
    assert answer.status_code == 400
    # the error summary at the top, focused on load, each error linking to its field
    summary = page[page.index("data-error-summary") :]
    summary = summary[: summary.index("</div>")]
    assert 'href="#id_chipnummer"' in summary and "genau 15 Ziffern" in summary
    assert 'href="#id_wurfdatum_des_hundes"' in summary and "nicht in der Zukunft" in summary
    assert 'href="#id_hund_gehalten_seit"' in summary and "TT.MM.JJJJ" in summary
    assert "data-focus-on-load" in page and "kreisportal/focus" in page
    # what was typed stays, nothing was saved
    assert 'value="Labrador"' in page and 'value="12ab"' in page
    with in_tenant("erkelenz"):
        assert not Application.objects.exists()


def test_dates_are_typed_the_german_way_whatever_the_browser(in_tenant):
    browser = _signed_in()
    page = browser.get(DOG, HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    field = re.search(r'<input[^>]*name="wurfdatum_des_hundes"[^>]*>', page).group(0)
    assert 'type="text"' in field and 'aria-describedby="id_wurfdatum_des_hundes-hint"' in field
    assert 'id="id_wurfdatum_des_hundes-hint"' in page and "TT.MM.JJJJ" in page
    checked = browser.post(DOG, {**GOOD_DOG, "aktion": "pruefen"})
    assert checked.status_code == 302
    with in_tenant("erkelenz"):
        assert Application.objects.get().data["wurfdatum_des_hundes"] == "2024-03-01"
    # back at the form: the stored date shown as it was typed
    again = browser.get(DOG).content.decode()
    assert 'value="01.03.2024"' in again


def test_check_answers_change_and_submit_with_confirmation_panel(
    in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    browser = _signed_in()
    # nothing checked yet: the review page sends back to the form
    early = browser.get(f"{DOG}pruefen/")
    assert early.status_code == 302 and early["Location"] == "/antraege/hund-anmelden/"
    checked = browser.post(DOG, {**GOOD_DOG, "aktion": "pruefen"})
    assert checked.status_code == 302 and checked["Location"] == "/antraege/hund-anmelden/pruefen/"
    review = browser.get(f"{DOG}pruefen/")
    page = review.content.decode()
    assert review.status_code == 200 and "Angaben prüfen" in page
    for shown in ("Labrador", "01.03.2024", "15.05.2024", "276098106543210"):
        assert shown in page
    # every answer has its "ändern" back to the field; the identity provider's data is shown
    assert 'href="/antraege/hund-anmelden/#id_rasse_oder_mischung"' in page
    assert page.count(">ändern<") >= 5 + 5
    assert "Erika Mustermann" in page and "Vertrauensniveau" in page
    assert "Antrag verbindlich absenden" in page
    with in_tenant("erkelenz"):
        assert Application.objects.get().status == "draft"  # nothing bound yet
    # "ändern": the form has every answer, changed and checked again
    form = browser.get(DOG).content.decode()
    assert 'value="Labrador"' in form and 'value="276098106543210"' in form
    browser.post(DOG, {**GOOD_DOG, "rasse_oder_mischung": "Pudel", "aktion": "pruefen"})
    shown = browser.get(f"{DOG}pruefen/")
    assert "Pudel" in shown.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = browser.post(f"{DOG}pruefen/", {"geprueft": review_token(shown)})
    assert sent.status_code == 302 and sent["Location"].endswith("?eingereicht=1")
    done = browser.get(f"http://{ERKELENZ}{sent['Location']}").content.decode()
    with in_tenant("erkelenz"):
        application = Application.objects.get()
        assert application.status != "draft" and application.data["rasse_oder_mischung"] == "Pudel"
    panel = done[done.index('class="panel panel--confirmation"') :]
    panel = panel[: panel.index("</div>")]
    assert 'role="status"' in done and "data-focus-on-load" in panel
    assert application.reference in panel and "Antrag eingereicht" in panel
    assert re.search(r"Eingangsbestätigung herunterladen \(PDF, [\d,.]+\xa0KB\)", panel), panel
    receipt = re.search(r'href="(/konto/postfach/[^"]+/anhang/)"', panel).group(1)
    pdf = browser.get(f"http://{ERKELENZ}{receipt}")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_a_draft_changed_after_checking_is_checked_again(in_tenant):
    browser = _signed_in()
    browser.post(DOG, {**GOOD_DOG, "aktion": "pruefen"})
    # another tab saves a different draft: the review refuses the old check
    browser.post(DOG, {**GOOD_DOG, "rasse_oder_mischung": "Mops", "aktion": "speichern"})
    stale = browser.post(f"{DOG}pruefen/", {})
    assert stale.status_code == 302 and stale["Location"] == "/antraege/hund-anmelden/"
    with in_tenant("erkelenz"):
        assert Application.objects.get().status == "draft"


def test_a_direct_post_gets_the_review_page_and_binds_nothing(
    in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    browser = _signed_in()
    # the form posted straight to "einreichen" (an old client, a script): saved and on to
    # "Angaben prüfen", nothing submitted
    with django_capture_on_commit_callbacks(execute=True):
        direct = browser.post(DOG, {**GOOD_DOG, "aktion": "einreichen"})
    assert direct.status_code == 302 and direct["Location"] == "/antraege/hund-anmelden/pruefen/"
    with in_tenant("erkelenz"):
        assert Application.objects.get().status == "draft"
    # the review page posted without having been shown, or with a made-up or another
    # version's fingerprint: the review page again with a notice, still nothing bound
    shown = browser.get(f"{DOG}pruefen/")
    token = review_token(shown)
    for forged in ({}, {"geprueft": "x"}, {"geprueft": token.split(":")[0] + ":forged"}):
        with django_capture_on_commit_callbacks(execute=True):
            refused = browser.post(f"{DOG}pruefen/", forged)
        page = refused.content.decode()
        assert refused.status_code == 400 and "Angaben prüfen" in page
        assert "Bitte prüfen Sie Ihre Angaben unten" in page and "Labrador" in page
    # answers changed and checked again: the page shown before cannot bind the new ones
    browser.post(DOG, {**GOOD_DOG, "rasse_oder_mischung": "Mops", "aktion": "pruefen"})
    stale = browser.post(f"{DOG}pruefen/", {"geprueft": token})
    assert stale.status_code == 400 and "Mops" in stale.content.decode()
    with in_tenant("erkelenz"):
        assert Application.objects.get().status == "draft"
    # the page as shown for these answers binds them
    with django_capture_on_commit_callbacks(execute=True):
        sent = browser.post(f"{DOG}pruefen/", {"geprueft": review_token(stale)})
    assert sent.status_code == 302 and sent["Location"].endswith("?eingereicht=1")
    with in_tenant("erkelenz"):
        application = Application.objects.get()
        assert application.status != "draft" and application.data["rasse_oder_mischung"] == "Mops"


def test_step_up_at_substanziell_comes_back_to_the_review(
    in_tenant, eager_tasks, django_capture_on_commit_callbacks
):
    browser = _signed_in(level="substantial")
    permit = f"http://{ERKELENZ}/antraege/bewohnerparkausweis/"
    checked = browser.post(
        permit,
        {
            "aktion": "pruefen",
            "amtliches_kennzeichen": "HS-KP 2026",
            "parkzone": "Zone A – Innenstadt",
            "zulassungsbescheinigung_teil_i": SimpleUploadedFile("schein.png", PNG),
        },
    )
    assert checked.status_code == 302
    review = browser.get(f"{permit}pruefen/")
    assert "Erneut anmelden und verbindlich absenden" in review.content.decode()
    asked = browser.post(f"{permit}pruefen/", {"geprueft": review_token(review)})
    assert needs_step_up(asked)  # BundID's ForceAuthn for this service
    back = step_up(browser, asked)
    assert back.status_code == 200 and "erneut angemeldet" in back.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = browser.post(f"{permit}pruefen/", {"geprueft": review_token(back)})
    assert sent.status_code == 302 and "?eingereicht=1" in sent["Location"]
    with in_tenant("erkelenz"):
        assert Application.objects.get().status == "awaiting_payment"


def test_editor_sets_rules_and_bad_rules_are_refused(client, in_tenant):
    with in_tenant("erkelenz"):
        from services.local.models import LocalService

        local = LocalService.objects.filter(offered=True, application_form__isnull=True).first()
    editor = _editor(client, in_tenant)
    host = {"HTTP_HOST": f"erkelenz.{BASE}"}
    add = "/cms/snippets/applications/applicationform/add/"
    form_page = editor.get(add, **host).content.decode()
    for field in ("pattern", "pattern_message", "date_rule", "min_value", "max_value"):
        assert f'name="fields-__prefix__-{field}"' in form_page, field
    bad = editor.post(
        add,
        _form_post(
            str(local.pk),
            [
                {"label": "Kennziffer", "kind": "text", "pattern": "[0-9"},
                {"label": "Fundtag", "kind": "number", "date_rule": "past"},
                {"label": "Menge", "kind": "number", "min_value": "5", "max_value": "1"},
            ],
        ),
        **host,
    ).content.decode()
    assert "kein gültiger regulärer Ausdruck" in bad and "in Worten" in bad
    assert "nur bei Datumsfeldern" in bad and "kleiner als der kleinste" in bad
    good = editor.post(
        add,
        _form_post(
            str(local.pk),
            [
                {
                    "label": "Kennziffer",
                    "kind": "text",
                    "pattern": r"[A-Z]{2}-\d{4}",
                    "pattern_message": "Zwei Großbuchstaben, Bindestrich, vier Ziffern.",
                },
                {"label": "Fundtag", "kind": "date", "date_rule": "past"},
                {"label": "Menge", "kind": "number", "min_value": "1", "max_value": "20"},
            ],
        ),
        **host,
    )
    assert good.status_code == 302, good.content.decode()[-3000:]
    citizen = _signed_in(persona="max")
    url = f"http://{ERKELENZ}/antraege/fundsache-melden/"
    refused = citizen.post(
        url, {"aktion": "pruefen", "kennziffer": "ab-12", "fundtag": "01.01.2026", "menge": "25"}
    ).content.decode()
    assert "Zwei Großbuchstaben, Bindestrich, vier Ziffern." in refused
    assert "Bitte geben Sie eine Zahl von 1 bis 20 ein." in refused
    fine = citizen.post(
        url, {"aktion": "pruefen", "kennziffer": "HS-2026", "fundtag": "01.01.2026", "menge": "2,5"}
    )
    assert fine.status_code == 302
    with in_tenant("erkelenz"):
        assert Application.objects.get(form__slug="fundsache-melden").data["menge"] == "2.5"


def test_rules_only_where_they_mean_something(in_tenant):
    with in_tenant("erkelenz"):
        form = ApplicationForm.objects.get(slug="hund-anmelden")
        for bad in (
            {"kind": "date", "pattern": r"\d+", "pattern_message": "Ziffern"},
            {"kind": "text", "pattern": r"\d+"},  # no message for citizens
            {"kind": "text", "min_value": 1},
        ):
            with pytest.raises(ValidationError):
                ApplicationFormField(form=form, label="X", **bad).clean()
