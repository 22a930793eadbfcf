"""English and Dutch switch the whole citizen UI (issue 20, finding 3; WCAG 3.1.1 and 3.1.2).

For every citizen page type, in English and in Dutch: `<html lang>` is the chosen language, no
known German UI word is left in what the page says outside blocks marked `lang="de"` (the
navigation, footer, headings, buttons, form labels, and the accessible names in aria-label,
placeholder, title and alt), and content that exists only in German (catalogue texts, Wagtail
pages, news) carries `lang="de"`. In German nothing is marked: the page is German as a whole.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings

from tests.support.sso import Browser, sign_in

BASE = settings.BASE_DOMAIN
LANGUAGES = ["en", "nl"]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
SPOKEN_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")

# Words of the German UI that must not remain once the citizen chose English or Dutch.
# Whole words, case-sensitive (German nouns are capitalised); none of them is English or Dutch
# ("Kosten", "Bestellen" are Dutch too, so they are not listed).
GERMAN_UI = [
    "Startseite", "Leistungen", "Leistung", "Suchen", "Sprache", "Ändern", "Inhalt", "springen",
    "Hauptnavigation", "Rechtliches", "Brotkrumen", "Konto", "Häufig", "gesucht", "Lebenslagen",
    "Zuständig", "zuständig", "Termin", "Termine", "vereinbaren", "beantragen", "Beschreibung",
    "Voraussetzungen", "Unterlagen", "Fristen", "Verfahrensablauf", "Rechtsgrundlagen",
    "Hinweise", "geöffnet", "geschlossen", "Treffer", "Alphabetisch", "Themen", "Wohnort",
    "Finden", "Daten", "Postfach", "Anträge", "Antrag", "Abmelden", "Anmelden", "überall",
    "Gebühr", "Pflichtfeld", "Entwurf", "speichern", "absenden", "Bitte", "Weiter", "Zurück",
    "Flurstück", "Gemarkung", "bezahlen", "Fehlercode", "Seite", "Uhr", "Ihre",
    "Ihr", "Sie", "und", "oder", "nicht", "bitte", "wählen", "Schritte", "Uhrzeit", "Dienststelle",
    "Wofür", "Angaben", "Nachrichten", "herunterladen", "löschen", "Aktenzeichen", "Zahlung",
    "Schlagwörter", "Neuere", "Ältere", "gebührenfrei", "erhältlich", "Demodaten",
]  # fmt: skip
GERMAN_WORD = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, GERMAN_UI)) + r")(?![\w-])")


class _Reader(HTMLParser):
    """What a page says outside blocks marked German: text and spoken attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html_lang = ""
        self.german_blocks = 0
        self.spoken: list[str] = []
        self._stack: list[bool] = []  # per open element: inside German or script/style

    def _muted(self) -> bool:
        return bool(self._stack) and self._stack[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        lang = attributes.get("lang") or ""
        if tag == "html":
            self.html_lang = lang
        german = lang.startswith("de") and tag != "html"
        if german and tag != "option":
            self.german_blocks += 1
        # <title> is left out: a German-only page's title is its German title, and the element
        # cannot carry a language of its own
        muted = self._muted() or german or tag in ("script", "style", "title")
        if not muted:
            self.spoken.extend(attributes.get(name) or "" for name in SPOKEN_ATTRIBUTES)
        if tag not in VOID:
            self._stack.append(muted)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._muted():
            self.spoken.append(data)


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def german_left(html: str) -> list[str]:
    text = " ".join(read(html).spoken)
    return sorted({match.group(1) for match in GERMAN_WORD.finditer(text)})


def _first_link(html: str, css_class: str) -> str:
    block = html.split(f'class="{css_class}"', 1)[1]
    return re.search(r'href="([^"]+)"', block).group(1)


def _about_link(html: str) -> str:
    nav = html.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    hrefs = re.findall(r'href="([^"]+)"', nav)
    return next(h for h in hrefs if h not in ("/leistungen/", "/aktuelles/", "/finder/", "/konto/"))


# (tenant, path or how to find it, German-only content expected on it)
PUBLIC_PAGES = [
    ("erkelenz", "/", True),
    ("erkelenz", "/aktuelles/", True),
    ("erkelenz", "__first_article__", True),
    ("erkelenz", "__about__", True),
    ("erkelenz", "/impressum/", True),
    ("erkelenz", "/leistungen/99008001012000/", True),
    ("erkelenz", "/leistungen/?q=Personalausweis", True),
    ("erkelenz", "/leistungen/a-z/P/", True),
    ("erkelenz", "/termine/", False),
    ("erkelenz", "/leichte-sprache/", True),
    ("erkelenz", "/gebaerdensprache/", True),
    ("erkelenz", "/barrierefreiheit/", True),
    ("erkelenz", "/barriere-melden/", False),
    ("erkelenz", "/gibt-es-nicht/", False),
    ("kreis", "/finder/?gemeinde=wegberg&q=Hundesteuer", True),
    ("kreis", "/liegenschaftsauskunft/", False),
    ("kreis", "/liegenschaftsauskunft/?adresse=a", False),
    ("kreis", "/liegenschaftsauskunft/pruefen/?code=XXXX", False),
]


def _get(browser: Browser, host: str, path: str, language: str):
    browser.client(host).cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if path == "__first_article__":
        path = _first_link(browser.get(f"http://{host}/aktuelles/").content.decode(), "news-list")
    elif path == "__about__":
        path = _about_link(browser.get(f"http://{host}/").content.decode())
    return path, browser.get(f"http://{host}{path}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_speak_the_chosen_language(db, language):
    browser = Browser()
    failures = []
    for slug, wanted, has_german_content in PUBLIC_PAGES:
        path, response = _get(browser, f"{slug}.{BASE}", wanted, language)
        assert response.status_code in (200, 404), (path, response.status_code)
        html = response.content.decode()
        page = read(html)
        if page.html_lang != language:
            failures.append(f"{slug}{path}: <html lang={page.html_lang!r}>")
        if left := german_left(html):
            failures.append(f"{slug}{path}: German UI words left: {left}")
        if has_german_content and not page.german_blocks:
            failures.append(f"{slug}{path}: German-only content not marked lang=de")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("language", LANGUAGES)
def test_signed_in_pages_speak_the_chosen_language(db, language):
    host = f"erkelenz.{BASE}:8000"  # the port the broker sends the citizen back to
    browser = Browser()
    sign_in(browser, host, level="substantial")
    browser.client(host).cookies[settings.LANGUAGE_COOKIE_NAME] = language
    saved = browser.post(f"http://{host}/antraege/hund-anmelden/", {"aktion": "speichern"})
    assert saved.status_code in (200, 302)
    account = browser.get(f"http://{host}/konto/").content.decode()
    draft = re.search(r'href="(/antraege/vorgang/[^"]+/)"', account).group(1)
    failures = []
    for path in ("/konto/", "/antraege/hund-anmelden/", draft, "/konto/loeschen/"):
        response = browser.get(f"http://{host}{path}")
        assert response.status_code == 200, path
        html = response.content.decode()
        page = read(html)
        if page.html_lang != language:
            failures.append(f"{path}: <html lang={page.html_lang!r}>")
        if left := german_left(html):
            failures.append(f"{path}: German UI words left: {left}")
    # the form's title and the editors' field labels exist only in German
    assert read(
        browser.get(f"http://{host}/antraege/hund-anmelden/").content.decode()
    ).german_blocks
    assert not failures, "\n".join(failures)


def test_german_pages_carry_no_extra_language_marks(client, db):
    for path in ("/", "/leistungen/99008001012000/", "/leistungen/?q=Personalausweis"):
        html = client.get(path, HTTP_HOST=f"erkelenz.{BASE}").content.decode()
        page = read(html)
        assert page.html_lang == "de" and page.german_blocks == 0, path
        assert "Zum Inhalt springen" in html and "Startseite" in html or path == "/"


def test_the_language_switch_offers_dutch_and_keeps_the_page(client, db):
    host = f"erkelenz.{BASE}"
    html = client.get("/leistungen/", HTTP_HOST=host).content.decode()
    assert '<option value="nl" lang="nl">Nederlands</option>' in html
    assert '<option value="en" lang="en">English</option>' in html  # each name in its language
    switched = client.post(
        "/i18n/setlang/", {"language": "nl", "next": "/leistungen/"}, HTTP_HOST=host
    )
    assert switched.status_code == 302 and switched["Location"] == "/leistungen/"
    dutch = client.get("/leistungen/", HTTP_HOST=host).content.decode()
    assert '<html lang="nl">' in dutch and "Diensten van A tot Z" in dutch
    assert "Naar de inhoud" in dutch


def test_the_reader_sees_what_is_not_marked_german():
    page = read(
        '<html lang="en"><p>Search <span lang="de">Hundesteuer Leistung</span></p>'
        '<input placeholder="Leistung suchen"><img alt="Logo"></html>'
    )
    assert page.html_lang == "en" and page.german_blocks == 1
    assert german_left('<p lang="de">Bitte</p><p>Please</p>') == []
    assert german_left('<button aria-label="Suchen">x</button>') == ["Suchen"]
    assert german_left("<p>Sie können</p>") == ["Sie"]
