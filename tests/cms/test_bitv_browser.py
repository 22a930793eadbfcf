"""The BITV pages in chromium on three portals, as a citizen reaches them: Leichte Sprache and
Gebärdensprache from the header, the video (captions, no autoplay, native controls), the feedback
form's round trip with its error summary; axe-core at 0 violations (WCAG 2.1 A/AA and best
practice) on each of the new page types. The run writes its results as the report the
accessibility statement cites (`django-admin accessibility_report <file>` stores it)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.support.browser import browser, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

RULE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
TENANTS = ["kreis", "erkelenz", "selfkant"]
REPORT_TEXT = "Browser-Test: Das Video auf der Seite Gebärdensprache hat keine Audiodeskription."
RESULTS: dict[str, list[dict]] = {}


def _axe_check(page, slug: str, label: str) -> None:  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": RULE_TAGS}})
    RESULTS.setdefault(slug, []).append(
        {"path": label, "violations": result.violations_count, "engine": _engine(result)}
    )
    assert result.violations_count == 0, f"{slug} {label}:\n{result.generate_report()}"


def _engine(result) -> str:
    engine = result.response.get("testEngine", {})
    return f"{engine.get('name', 'axe-core')} {engine.get('version', '')}".strip()


@pytest.fixture(scope="module", autouse=True)
def _report_and_cleanup(django_db_blocker):
    """After the module: the axe report for the statement, and the reports the round trip
    committed (the live server sees committed data only) removed again."""
    yield
    from django_tenants.utils import tenant_context

    from cms.accessibility import BarrierReport
    from tenants.models import Tenant

    with django_db_blocker.unblock():
        for slug in TENANTS:
            with tenant_context(Tenant.objects.get(slug=slug)):
                BarrierReport.objects.filter(description=REPORT_TEXT).delete()
    if RESULTS:
        engines = {page["engine"] for pages in RESULTS.values() for page in pages}
        target = Path(
            os.environ.get("KREISPORTAL_AXE_REPORT")
            or Path(settings.KREISPORTAL_HOME) / "reports" / "axe-bitv.json"
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(
            json.dumps(
                {
                    "checked_at": datetime.now(UTC).isoformat(),
                    "tool": ", ".join(sorted(engines)),
                    "rules": "WCAG 2.1 A/AA und Best Practice",
                    "tenants": {
                        slug: [{"path": p["path"], "violations": p["violations"]} for p in pages]
                        for slug, pages in RESULTS.items()
                    },
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )


@pytest.mark.parametrize("slug", TENANTS)
def test_bitv_pages_from_the_header_with_video_feedback_and_axe(page, tenant_server, slug):  # noqa: F811
    base = f"http://{slug}.localhost:{tenant_server}"
    page.goto(f"{base}/")
    header = page.locator("header")

    # Leichte Sprache, from the header of the start page
    header.get_by_role("link", name="Leichte Sprache").click()
    expect(page.locator("h1")).to_have_text("Leichte Sprache")
    expect(page.locator("main")).to_contain_text("Barriere·frei heißt")
    _axe_check(page, slug, "/leichte-sprache/")

    # Gebärdensprache, from the header of that page
    page.locator("header").get_by_role("link", name="Gebärdensprache").click()
    expect(page.locator("h1")).to_have_text("Gebärdensprache")
    videos = page.locator("video")
    expect(videos).to_have_count(4)
    state = videos.first.evaluate(
        """v => ({autoplay: v.autoplay, paused: v.paused, controls: v.controls,
                 tracks: Array.from(v.textTracks).map(t => [t.kind, t.language, t.mode])})"""
    )
    assert state == {
        "autoplay": False,
        "paused": True,
        "controls": True,
        "tracks": [["captions", "de", "showing"]],
    }
    # the captions file loads and parses (its cues reach the track)
    page.wait_for_function(
        "() => { const t = document.querySelector('video').textTracks[0];"
        " return t.cues && t.cues.length === 3; }"
    )
    # the demo video itself decodes in the browser (WebM/VP9, 8 seconds)
    page.wait_for_function("() => document.querySelector('video').readyState >= 1")
    assert round(videos.first.evaluate("v => v.duration")) == 8
    expect(page.locator(".transcript").first).to_contain_text("Textfassung")
    _axe_check(page, slug, "/gebaerdensprache/")

    # the accessibility statement cites the check and links the form and the Ombudsstelle
    page.goto(f"{base}/barrierefreiheit/")
    expect(page.locator("main")).to_contain_text("Ombudsstelle für barrierefreie")
    _axe_check(page, slug, "/barrierefreiheit/")

    # Barriere melden, from the footer: an empty form first, then a real report
    page.locator("footer").get_by_role("link", name="Barriere melden").click()
    expect(page.locator("h1")).to_have_text("Barriere melden")
    _axe_check(page, slug, "/barriere-melden/")
    page.get_by_role("button", name="Meldung absenden").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Bitte beschreiben Sie die Barriere.")
    expect(summary).to_be_focused()
    _axe_check(page, slug, "/barriere-melden/ (Fehler)")
    page.get_by_label("Was ist das Problem?").fill(REPORT_TEXT)
    page.get_by_label("Ihre E-Mail-Adresse für die Antwort (freiwillig)").fill("test@example.org")
    page.get_by_role("button", name="Meldung absenden").click()
    expect(page.locator("h1")).to_have_text("Vielen Dank, Ihre Meldung ist eingegangen")
    _axe_check(page, slug, "/barriere-melden/danke/")
