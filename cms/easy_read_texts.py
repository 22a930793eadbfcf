"""Starting texts of a portal's Leichte-Sprache and Gebärdensprache pages, made from the
portal's name. Written for this project along the rules of Leichte Sprache: short sentences,
one statement per sentence, hard words explained, words split by the middle dot."""

from __future__ import annotations

from django.utils.html import escape

EASY_READ_TITLE = "Leichte Sprache"
SIGN_LANGUAGE_TITLE = "Gebärdensprache"


def _p(*sentences: str) -> str:
    return "".join(f"<p>{escape(sentence)}</p>" for sentence in sentences)


def _list(*items: str) -> str:
    return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in items) + "</ul>"


def easy_read_intro(name: str) -> str:
    return f"Hier erklären wir in Leichter Sprache: Was gibt es im Bürger·portal von {name}?"


def easy_read_parts(name: str, *, district: bool) -> list[tuple[str, dict]]:
    """The four required parts as stream data for EasyReadPage.body."""
    who = "den Kreis" if district else "die Stadt oder die Gemeinde"
    return [
        (
            "content",
            {
                "heading": "Was es auf dieser Internet·seite gibt",
                "text": _p(
                    f"Das ist das Bürger·portal von {name}.",
                    "Ein Bürger·portal ist eine Internet·seite von der Verwaltung.",
                    f"Die Verwaltung sind die Ämter für {who}.",
                    "Dort arbeiten Menschen für die Bürger und Bürgerinnen.",
                    "Auf dieser Seite finden Sie Leistungen.",
                    "Leistungen sind Dinge, die die Verwaltung für Sie macht.",
                    "Zum Beispiel: einen neuen Ausweis.",
                    "Manche Leistungen können Sie im Internet beantragen.",
                    "Beantragen heißt: Sie sagen der Verwaltung, was Sie brauchen.",
                    "Sie können auch einen Termin im Amt machen.",
                    "Und Sie finden Nachrichten aus der Verwaltung.",
                ),
            },
        ),
        (
            "navigation",
            {
                "heading": "So finden Sie sich zurecht",
                "text": _p(
                    "Oben auf jeder Seite ist ein Menü.",
                    "Im Menü sind Links.",
                    "Ein Link bringt Sie zu einer anderen Seite.",
                    "Das Menü hat diese Links:",
                )
                + _list(
                    "Leistungen: Hier finden Sie alle Leistungen.",
                    "Mein Konto: Hier sehen Sie Ihre Anträge und Ihre Post.",
                    "Leichte Sprache: Das ist diese Seite.",
                    "Gebärdensprache: Hier gibt es Videos in Deutscher Gebärdensprache.",
                )
                + _p(
                    "Oben ist auch ein Suchfeld.",
                    "Dort können Sie ein Wort schreiben.",
                    "Zum Beispiel: Ausweis.",
                    "Dann zeigt die Seite passende Leistungen.",
                    "Unten auf jeder Seite können Sie die Sprache ändern.",
                ),
            },
        ),
        (
            "accessibility",
            {
                "heading": "Das Wichtigste zur Barriere·freiheit",
                "text": _p(
                    "Barriere·frei heißt: Alle Menschen können die Seite gut benutzen.",
                    "Auch Menschen mit Behinderung.",
                    f"{name} möchte, dass diese Seite barriere·frei ist.",
                    "Wir prüfen die Seite regelmäßig.",
                    "Manche Teile sind noch nicht barriere·frei.",
                    "Das steht in der Erklärung zur Barriere·freiheit.",
                    "Haben Sie ein Problem mit der Seite?",
                    "Dann sagen Sie es uns.",
                    "Unten auf jeder Seite ist der Link: Barriere melden.",
                    "Dort können Sie uns schreiben.",
                    "Wir antworten Ihnen.",
                ),
            },
        ),
        (
            "more",
            {
                "heading": "Hier finden Sie mehr Informationen",
                "text": _p(
                    "Es gibt auch Videos in Deutscher Gebärdensprache.",
                    "Die Videos finden Sie oben im Menü bei: Gebärdensprache.",
                    "Mehr Texte in Leichter Sprache sind in Arbeit.",
                    "Sie haben eine Frage?",
                    "Dann rufen Sie die Verwaltung an.",
                    "Oder Sie schreiben eine E-Mail.",
                    "Die Telefon·nummer und die E-Mail-Adresse stehen im Impressum.",
                    "Den Link zum Impressum finden Sie unten auf jeder Seite.",
                ),
            },
        ),
    ]


def sign_language_intro(name: str) -> str:
    return (
        f"Videos in Deutscher Gebärdensprache (DGS) zum Bürgerportal von {name}. Jedes Video "
        "hat Untertitel und eine Textfassung."
    )


def sign_language_transcripts(name: str) -> dict[str, str]:
    """Text alternative of each demo video: what its captions say."""
    return {
        "content": _p(
            f"Dieses Video erklärt, was es im Bürgerportal von {name} gibt: Leistungen der "
            "Verwaltung, Online-Anträge, Termine und Nachrichten."
        ),
        "navigation": _p(
            "Dieses Video erklärt das Menü oben auf jeder Seite, die Suche nach Leistungen und "
            "die Sprachwahl unten auf jeder Seite."
        ),
        "accessibility": _p(
            "Dieses Video erklärt die Erklärung zur Barrierefreiheit: was noch nicht barrierefrei "
            "ist und wie Sie uns eine Barriere melden."
        ),
        "more": _p(
            "Dieses Video erklärt, wo es mehr Informationen gibt: die Seite in Leichter Sprache "
            "und den Kontakt zur Verwaltung im Impressum."
        ),
    }


DEMO_NOTE = (
    "Demo: Dieses Video ist ein Platzhalter des Kreisportals und zeigt keine Gebärdensprache. "
    "Die Videos in Deutscher Gebärdensprache stellt die Verwaltung ein."
)
