"""BITV 2.0 beyond axe (issue 20): Leichte Sprache and Gebärdensprache pages on every portal,
reachable from every page's header; the accessibility statement's feedback form ("Barriere
melden") with its record for the tenant's editors only; the stored automated check the statement
cites; the dashboard's yearly review reminder."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from wagtail.blocks import StreamValue

from cms.accessibility import AccessibilityCheck, BarrierReport
from cms.easy_read import PARTS, EasyReadPage, SignLanguagePage
from cms.legal import LegalKind, LegalPage
from cms.views import BARRIER_REPORTS_PER_HOUR
from tenants.models import Tenant

BASE = settings.BASE_DOMAIN
GOOD_REPORT = {
    "page_url": "/leistungen/",
    "description": "Die Suche lässt sich mit dem Screenreader nicht bedienen.",
    "name": "Erika Muster",
    "email": "erika@example.org",
}


PAGE_TYPES = [
    "/",
    "/aktuelles/",
    "/leistungen/",
    "/leistungen/99008001012000/",
    "/impressum/",
    "/leichte-sprache/",
    "/gebaerdensprache/",
    "/barriere-melden/",
    "/barriere-melden/danke/",
]


def host(slug: str) -> str:
    return f"{slug}.{BASE}"


def staff_client(in_tenant, slug: str, *, group: str | None, name: str) -> Client:
    from django.contrib.auth import get_user_model

    with in_tenant(slug):
        user = get_user_model().objects.create_user(name, password="Geheim-2026!")
        if group:
            user.groups.add(Group.objects.get(name=group))
    client = Client()
    response = client.post(
        "/cms/login/", {"username": name, "password": "Geheim-2026!"}, HTTP_HOST=host(slug)
    )
    assert response.status_code == 302
    return client


# --- Leichte Sprache and Gebärdensprache --------------------------------------------------


def test_every_portal_has_both_pages_with_all_four_parts(in_tenant):
    parts = [name for name, _label in PARTS]
    for tenant in Tenant.objects.portals():
        with in_tenant(tenant.slug):
            easy = EasyReadPage.objects.live().get()
            sign = SignLanguagePage.objects.live().get()
            assert [block.block_type for block in easy.body] == parts
            assert [block.block_type for block in sign.body] == parts
            assert tenant.name in easy.intro
            for block in sign.body:
                assert block.value["video"].filename.endswith(".webm")
                assert block.value["captions"].filename.endswith(".vtt")
                assert block.value["is_demo"] and block.value["transcript"].source


def test_a_page_missing_a_required_part_is_refused(in_tenant):
    with in_tenant("gangelt"):
        page = EasyReadPage.objects.get()
        stream_block = EasyReadPage._meta.get_field("body").stream_block
        complete = [(b.block_type, b.value) for b in page.body]
        stream_block.clean(StreamValue(stream_block, complete))  # all four parts: accepted
        without_navigation = [part for part in complete if part[0] != "navigation"]
        with pytest.raises(ValidationError) as refused:
            stream_block.clean(StreamValue(stream_block, without_navigation))
        assert any(m.startswith("Navigation") for m in refused.value.as_json_data()["messages"])
        twice = [*complete, complete[0]]
        with pytest.raises(ValidationError):
            stream_block.clean(StreamValue(stream_block, twice))
        sign = SignLanguagePage.objects.get()
        block = sign.body[0]
        wrong = dict(block.value, captions=block.value["video"])  # a video is no WebVTT file
        with pytest.raises(ValidationError):
            sign.body.stream_block.child_blocks["content"].clean(wrong)


@pytest.mark.parametrize("slug", ["kreis", "erkelenz", "selfkant"])
def test_header_of_every_page_type_links_both_pages(client, db, slug):
    for path in PAGE_TYPES:
        response = client.get(path, HTTP_HOST=host(slug))
        assert response.status_code == 200, path
        html = response.content.decode()
        header = html.split("<main", 1)[0]
        assert 'href="/leichte-sprache/"' in header and ">Leichte Sprache</a>" in header, path
        assert 'href="/gebaerdensprache/"' in header and ">Gebärdensprache</a>" in header, path
        footer = html.split("<footer", 1)[1]
        assert 'href="/barriere-melden/?seite=' in footer, path


def test_easy_read_page_is_german_and_in_short_sentences(client, db):
    html = client.get("/leichte-sprache/", HTTP_HOST=host("waldfeucht")).content.decode()
    # German content: marked as such when the UI speaks another language (WCAG 3.1.2)
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    in_english = english.get("/leichte-sprache/", HTTP_HOST=host("waldfeucht")).content.decode()
    assert '<html lang="en">' in in_english and '<div class="easy-read" lang="de">' in in_english
    assert '<h1 lang="de">Leichte Sprache</h1>' in in_english
    assert "Bürger·portal von Gemeinde Waldfeucht" in html
    text = re.sub(r"<[^>]+>", " ", html.split('<div class="easy-read">', 1)[1].split("</main>")[0])
    sentences = [s.strip() for s in re.split(r"[.?!:]", text) if s.strip()]
    assert len(sentences) > 30
    # Leichte Sprache: short sentences (the longest of ours has 13 words)
    assert max(len(s.split()) for s in sentences) <= 15


def test_sign_language_page_plays_nothing_by_itself_and_has_captions(client, db):
    html = client.get("/gebaerdensprache/", HTTP_HOST=host("heinsberg")).content.decode()
    videos = re.findall(r"<video[^>]*>.*?</video>", html, re.S)
    assert len(videos) == 4
    for video in videos:
        opening = video.split(">", 1)[0]
        assert " controls" in opening and "autoplay" not in opening
        assert re.search(r'<track kind="captions" src="/documents/[^"]+\.vtt" srclang="de"', video)
        assert 'type="video/webm"' in video
    assert html.count('class="transcript"') == 4
    assert "Demo:" in html and "zeigen keine Gebärdensprache" in html
    # the media themselves are served on the portal's host with their types
    track = re.search(r'<track kind="captions" src="([^"]+)"', html).group(1)
    answer = Client().get(track, HTTP_HOST=host("heinsberg"))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/vtt")
    assert b"".join(answer.streaming_content).startswith(b"WEBVTT")
    source = re.search(r'<source src="([^"]+)"', html).group(1)
    answer = Client().get(source, HTTP_HOST=host("heinsberg"))
    assert answer.status_code == 200 and answer["Content-Type"] == "video/webm"


def test_a_new_portal_gets_both_pages_at_provisioning(db):
    from django_tenants.utils import schema_context

    from tenants.actions import do_create_tenant

    tenant = do_create_tenant(
        name="Gemeinde Beispielheim",
        slug="beispielheim",
        kind="municipality",
        ags="05358008",  # Düren: a real key no demo tenant has
        actor="tests",
    )
    with schema_context(tenant.schema_name):
        easy = EasyReadPage.objects.live().get()
        assert "Gemeinde Beispielheim" in easy.intro
        assert SignLanguagePage.objects.live().get().has_demo_videos


# --- Barriere melden --------------------------------------------------------------------------


def test_feedback_round_trip_stores_the_report_and_mails_the_contact(
    client, in_tenant, mailoutbox, django_capture_on_commit_callbacks
):
    contact = "buergerservice@erkelenz.example"
    Tenant.objects.filter(slug="erkelenz").update(contact_email=contact)
    form = client.get("/barriere-melden/?seite=/leistungen/", HTTP_HOST=host("erkelenz"))
    assert form.status_code == 200
    assert 'value="/leistungen/"' in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/barriere-melden/", GOOD_REPORT, HTTP_HOST=host("erkelenz"))
    assert answer.status_code == 302 and answer["Location"] == "/barriere-melden/danke/"
    thanks = client.get(answer["Location"], HTTP_HOST=host("erkelenz")).content.decode()
    assert "Vielen Dank, Ihre Meldung ist eingegangen" in thanks
    with in_tenant("erkelenz"):
        report = BarrierReport.objects.get()
        assert report.description == GOOD_REPORT["description"]
        assert report.email == "erika@example.org" and report.page_url == "/leistungen/"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [contact]
    assert GOOD_REPORT["description"] in mailoutbox[0].body


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"description": ""}, "Bitte beschreiben Sie die Barriere."),
        ({"description": "kaputt"}, "mindestens 10 Zeichen"),
        ({"description": "x" * 5001}, "höchstens 5.000 Zeichen"),
        ({"email": "keine-adresse"}, "gültige E-Mail-Adresse"),
        ({"page_url": "/" * 501}, "Seitenangabe ist zu lang"),
    ],
)
def test_bad_feedback_rerenders_in_german_and_stores_nothing(client, in_tenant, changes, message):
    data = {**GOOD_REPORT, **changes}
    answer = client.post("/barriere-melden/", data, HTTP_HOST=host("gangelt"))
    assert answer.status_code == 400
    html = answer.content.decode()
    assert message in html and 'role="alert"' in html
    if changes.get("description", "x") and "description" not in changes:
        assert GOOD_REPORT["description"] in html  # what was typed is kept
    with in_tenant("gangelt"):
        assert not BarrierReport.objects.exists()


def test_feedback_is_rate_limited_per_address(client, in_tenant):
    for _ in range(BARRIER_REPORTS_PER_HOUR):
        assert (
            client.post("/barriere-melden/", GOOD_REPORT, HTTP_HOST=host("wegberg")).status_code
            == 302
        )
    refused = client.post("/barriere-melden/", GOOD_REPORT, HTTP_HOST=host("wegberg"))
    assert refused.status_code == 429
    assert "in einer Stunde noch einmal" in refused.content.decode()
    with in_tenant("wegberg"):
        assert BarrierReport.objects.count() == BARRIER_REPORTS_PER_HOUR


def test_feedback_form_answers_get_and_post_only(client, db):
    assert client.put("/barriere-melden/", HTTP_HOST=host("kreis")).status_code == 405


def test_reports_are_seen_by_the_tenants_editors_only(client, in_tenant):
    client.post("/barriere-melden/", GOOD_REPORT, HTTP_HOST=host("hueckelhoven"))
    with in_tenant("hueckelhoven"):
        report = BarrierReport.objects.get()
    with in_tenant("selfkant"):
        assert not BarrierReport.objects.exists()  # another tenant's schema has no trace
    listing = "/cms/barrier_reports/"
    detail = f"/cms/barrier_reports/inspect/{report.pk}/"
    editor = staff_client(in_tenant, "hueckelhoven", group="Editors", name="redakteurin-hue")
    page = editor.get(listing, HTTP_HOST=host("hueckelhoven"))
    assert page.status_code == 200 and "Die Suche lässt sich" in page.content.decode()
    assert editor.get(detail, HTTP_HOST=host("hueckelhoven")).status_code == 200
    # editors mark a report done
    edit = f"/cms/barrier_reports/edit/{report.pk}/"
    assert editor.post(edit, {"handled": "on"}, HTTP_HOST=host("hueckelhoven")).status_code == 302
    with in_tenant("hueckelhoven"):
        assert BarrierReport.objects.get().handled

    # anonymous visitors and a citizen are sent to the staff sign-in; another tenant's editor
    # has no account here and finds nothing on its own host
    assert Client().get(listing, HTTP_HOST=host("hueckelhoven")).status_code == 302
    assert Client().get(detail, HTTP_HOST=host("hueckelhoven")).status_code == 302
    citizen = staff_client(in_tenant, "hueckelhoven", group=None, name="buerger-hue")
    for url in (listing, detail):
        assert citizen.get(url, HTTP_HOST=host("hueckelhoven")).status_code == 302
    assert citizen.post(edit, {"handled": ""}, HTTP_HOST=host("hueckelhoven")).status_code == 302
    other = staff_client(in_tenant, "selfkant", group="Editors", name="redakteurin-sel")
    assert other.get(detail, HTTP_HOST=host("selfkant")).status_code == 404
    assert other.get(detail, HTTP_HOST=host("hueckelhoven")).status_code == 302  # no session there
    with in_tenant("hueckelhoven"):
        assert BarrierReport.objects.get().handled


# --- the statement: automated check and yearly review ----------------------------------------


def test_statement_cites_the_stored_automated_check(client, in_tenant, tmp_path):
    report = {
        "checked_at": "2026-11-30T12:00:00+00:00",
        "tool": "axe-core 4.10",
        "rules": "WCAG 2.1 A/AA, best practice",
        "tenants": {
            "kreis": [
                {"path": "/", "violations": 0},
                {"path": "/leichte-sprache/", "violations": 0},
            ]
        },
    }
    path = tmp_path / "axe.json"
    path.write_text(json.dumps(report))
    before = client.get("/barrierefreiheit/", HTTP_HOST=host("kreis")).content.decode()
    assert "noch kein gespeichertes Ergebnis" in before
    call_command("accessibility_report", str(path))
    with in_tenant("kreis"):
        check = AccessibilityCheck.objects.get()
        assert (check.page_count, check.violation_count) == (2, 0)
    html = client.get("/barrierefreiheit/", HTTP_HOST=host("kreis")).content.decode()
    assert "Zuletzt automatisch geprüft am 30. November 2026 mit axe-core 4.10" in html
    assert "2 Seiten geprüft, 0 Verstöße gefunden" in html
    assert 'href="/barriere-melden/"' in html
    assert 'href="https://www.lbbp.nrw.de/ombudsstelle"' in html
    assert "Ombudsstelle für barrierefreie Informationstechnik" in html
    assert "Schlichtungsstelle nach § 16" in html


def test_bad_report_file_is_one_readable_error(tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "bad.json"
    path.write_text("{ not json")
    with pytest.raises(CommandError, match="cannot read the report"):
        call_command("accessibility_report", str(path))


def test_dashboard_reminds_editors_when_the_review_is_over_a_year_old(in_tenant):
    editor = staff_client(in_tenant, "gangelt", group="Editors", name="redakteur-gangelt")
    with in_tenant("gangelt"):
        statement = LegalPage.objects.get(kind=LegalKind.ACCESSIBILITY)
        statement.last_reviewed = date.today() - timedelta(days=30)
        statement.save()
    reminder = "Erklärung zur Barrierefreiheit überprüfen"
    assert reminder not in editor.get("/cms/", HTTP_HOST=host("gangelt")).content.decode()
    with in_tenant("gangelt"):
        statement.last_reviewed = date.today() - timedelta(days=400)
        statement.save()
    assert reminder in editor.get("/cms/", HTTP_HOST=host("gangelt")).content.decode()
