"""Query understanding for the catalogue search (German first, English too).

A citizen's query becomes a list of *terms*, each one thing the result should contain:
- stop and question words are dropped ("wie lange dauert ein Reisepass" → reisepass),
- separable verbs are joined ("melde ich meinen Hund an" → hund, anmelden),
- each term has a weight: object nouns count more than action verbs and generic words, so
  "<thing> anmelden" finds the thing, not every "Anmeldung",
- split compounds are joined when the catalogue knows the joined word ("Hunde Steuer"), joined
  ones are split when it knows the parts ("Wohnsitzanmeldung"), missing umlauts are restored
  ("Fuehrerschein") and unknown words are corrected to the nearest catalogue word.
The vocabulary is the catalogue's own (`SearchWord`: names, synonyms, everyday and English
names), held in memory per process and reloaded when the catalogue's search columns change.
"""

from __future__ import annotations

import bisect
import json
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from services.models import SearchWord

CONTENT = Path(__file__).resolve().parent / "content"
SYNONYMS_FILE = CONTENT / "synonyms_de.json"
MAX_TERMS = 8
_WORD = re.compile(r"[^\W_]+")

STOP_WORDS = frozenset(
    """
    ich mich mir mein meine meinen meinem meiner meines wir uns unser unsere du dich dir dein
    deine sie ihr ihre ihren ihm ihn er es man jemand jemanden der die das den dem des ein eine
    einen einem einer eines und oder aber für fuer fur mit von vom zu zum zur im in am an auf aus
    bei beim nach über ueber um als wie was wo wann wer wen wem warum wieso weshalb welche
    welcher welches welchen wohin woher womit wofür wieviel wieviele viel viele lange muss musst
    müssen muessen kann kannst können koennen darf darfst dürfen will willst wollen soll sollen
    sollte möchte moechte möchten brauche brauchst brauchen benötige benötigen bekomme bekommt
    bekommen kriege krieg gibt ist sind bin bist war habe hast hat haben wird werden wurde tun
    tue mache machen macht dauert dauern kostet bitte hallo mal noch schon jetzt da dann wenn ob
    nicht kein keine keinen hier dort so auch nur sehr gerne etwas ganz bis seit denn weil dass
    the a an of for to my me i how do does where what when who which can could get is are was
    be in on at with from need want please should would your you it this that about and or
    """.split()
)

# Separable verbs: a conjugated verb with its particle at the end of the clause
# ("melde … an") becomes the infinitive ("anmelden").
_VERB_FAMILIES = {
    "melden": "melde meldest meldet melden",
    "treten": "trete trittst tritt treten",
    "geben": "gebe gibst gibt geben",
    "holen": "hole holst holt holen",
    "stellen": "stelle stellst stellt stellen",
    "legen": "lege legt legen",
    "tauschen": "tausche tauscht tauschen",
    "ziehen": "ziehe ziehst zieht ziehen",
    "schreiben": "schreibe schreibt schreiben",
}
VERB_FORMS = {form: verb for verb, forms in _VERB_FAMILIES.items() for form in forms.split()}
PARTICLES = frozenset({"an", "ab", "um", "aus", "ein", "zu", "nach"})

# What the citizen wants *done*: these count less than the thing it is done to.
ACTION_WORDS = frozenset(
    """
    anmelden anmeldung abmelden abmeldung ummelden ummeldung melden meldung beantragen
    beantragung antrag anträge bestellen bestellung ausstellen ausstellung ausstellen erteilen
    erteilung verlängern verlängerung erneuern erneuerung ändern änderung aendern abholen
    abholung abgeben abgabe holen erhalten ersetzen ersatz umschreiben umschreibung tauschen
    umtauschen entsorgen entsorgung genehmigen genehmigung erlaubnis bescheinigung nachweis
    beglaubigen beglaubigung zahlen bezahlen zahlung einreichen vorlegen stellen
    apply application applying request order renew renewal get obtain register registration
    replace replacement report change issue exchange
    """.split()
)
# Words that qualify rather than name the service.
GENERIC_WORDS = frozenset(
    """
    neu neue neuer neues neuen online formular termin terminvereinbarung gebühr gebühren kosten
    gültig gültigkeit dauer frist fristen amt stadt gemeinde kreis behörde bürgerbüro info
    informationen auskunft hilfe new online form appointment fee fees cost costs office city
    """.split()
)
WEIGHT_OBJECT, WEIGHT_ACTION, WEIGHT_GENERIC = 1.0, 0.45, 0.3
COMPOUND_TAIL_MIN = 6  # a word this long also matches compounds ending with it
COMPOUND_LIMIT = 12
UMLAUTS = (("ae", "ä"), ("oe", "ö"), ("ue", "ü"), ("ss", "ß"))


@dataclass
class Term:
    word: str  # as typed (normalised)
    weight: float
    alternatives: list[str] = field(default_factory=list)  # tsquery fragments, OR-ed

    def tsquery(self) -> str:
        return "(" + " | ".join(dict.fromkeys(self.alternatives)) + ")"


def words_of(raw: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(raw or "")]


@lru_cache(maxsize=1)
def word_synonyms() -> dict[str, tuple[str, ...]]:
    data = json.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    return {k: tuple(v) for k, v in data.items() if not k.startswith("_")}


class Vocabulary:
    """The catalogue's words: exact look-up and "is a prefix of a catalogue word"."""

    def __init__(self, words: list[str]):
        self.words = frozenset(words)
        self.sorted = sorted(self.words)
        self.reversed = sorted(w[::-1] for w in self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.words

    def has_prefix(self, prefix: str) -> bool:
        index = bisect.bisect_left(self.sorted, prefix)
        return index < len(self.sorted) and self.sorted[index].startswith(prefix)

    def compounds_ending(self, word: str, limit: int = COMPOUND_LIMIT) -> list[str]:
        """Catalogue words that end with `word` ("kennzeichen" → "wunschkennzeichen", …)."""
        tail = word[::-1]
        index = bisect.bisect_left(self.reversed, tail)
        found = []
        while index < len(self.reversed) and self.reversed[index].startswith(tail):
            if len(self.reversed[index]) > len(tail) + 2:
                found.append(self.reversed[index][::-1])
            index += 1
        return sorted(found, key=len)[:limit]

    def knows(self, word: str) -> bool:
        return word in self.words or self.has_prefix(word)


_VOCABULARY: dict[str, object] = {"value": None, "loaded": 0.0}
VOCABULARY_TTL = 300.0


def vocabulary() -> Vocabulary:
    """The catalogue vocabulary of this process (reloaded after `forget_vocabulary()` or
    after VOCABULARY_TTL seconds, so a re-import in another process shows up too)."""
    now = time.monotonic()
    if _VOCABULARY["value"] is None or now - _VOCABULARY["loaded"] > VOCABULARY_TTL:
        words = list(SearchWord.objects.values_list("word", flat=True))
        _VOCABULARY["value"] = Vocabulary(words + list(word_synonyms()))
        _VOCABULARY["loaded"] = now
    return _VOCABULARY["value"]  # type: ignore[return-value]


def forget_vocabulary() -> None:
    _VOCABULARY["value"] = None


def _prefix(word: str) -> str:
    return f"'{word}':*"


def _fragment(text: str) -> str:
    """A synonym may be several words: all of them must match."""
    parts = words_of(text)
    if len(parts) == 1:
        return _prefix(parts[0])
    return "(" + " & ".join(_prefix(p) for p in parts) + ")"


def content_words(raw: str) -> list[str]:
    """Words that carry meaning, with separable verbs joined ("melde … an" → anmelden)."""
    words = [w for w in words_of(raw) if len(w) >= 2 or w.isdigit()]
    verb_at = [i for i, w in enumerate(words) if w in VERB_FORMS]
    if verb_at and words and words[-1] in PARTICLES and len(words) > 1:
        i = verb_at[0]
        words[i] = words[-1] + VERB_FORMS[words[i]]
        words.pop()
    kept = [w for w in words if w not in STOP_WORDS]
    return kept or [w for w in words if len(w) >= 3][:MAX_TERMS]


def _weight(word: str) -> float:
    if word in ACTION_WORDS:
        return WEIGHT_ACTION
    if word in GENERIC_WORDS:
        return WEIGHT_GENERIC
    return WEIGHT_OBJECT


def _umlaut_variant(word: str, vocab: Vocabulary) -> str:
    variant = word
    for plain, umlaut in UMLAUTS[:3]:
        variant = variant.replace(plain, umlaut)
    return variant if variant != word and vocab.knows(variant) else ""


def _split(word: str, vocab: Vocabulary) -> tuple[str, str] | None:
    """A joined compound the catalogue writes apart: "wohnsitzanmeldung" → wohnsitz, anmeldung."""
    if len(word) < 7:
        return None
    for cut in range(len(word) - 3, 2, -1):
        left, right = word[:cut], word[cut:]
        left_known = left in vocab or (left.endswith("s") and left[:-1] in vocab)
        if left_known and len(right) >= 3 and (right in vocab or vocab.has_prefix(right)):
            return left, right
    return None


def _alternatives(word: str, vocab: Vocabulary, corrections: dict[str, str]) -> list[str]:
    synonyms = word_synonyms()
    alternatives = [_prefix(word)]
    alternatives += [_fragment(s) for s in synonyms.get(word, ())]
    if len(word) >= COMPOUND_TAIL_MIN and _weight(word) == WEIGHT_OBJECT:
        alternatives += [_prefix(c) for c in vocab.compounds_ending(word)]
    variant = _umlaut_variant(word, vocab)
    if variant:
        alternatives.append(_prefix(variant))
        alternatives += [_fragment(s) for s in synonyms.get(variant, ())]
    if not vocab.knows(word):
        parts = _split(word, vocab)
        if parts:
            groups = []
            for index, part in enumerate(parts):
                group = [_prefix(part)] + [_fragment(s) for s in synonyms.get(part, ())]
                if index == 1 and len(part) >= COMPOUND_TAIL_MIN:
                    # the head of a compound also stands inside the catalogue's longer ones:
                    # "kurzzeitkennzeichen" → kurzzeit & (kennzeichen | …fahrzeugkennzeichen)
                    group += [_prefix(c) for c in vocab.compounds_ending(part)]
                groups.append("(" + " | ".join(group) + ")")
            alternatives.append("(" + " & ".join(groups) + ")")
        if word in corrections:
            alternatives.append(_prefix(corrections[word]))
    return alternatives


def unknown_words(words: list[str]) -> list[str]:
    """Words (4+ letters) neither in the vocabulary nor a prefix of one: typo candidates."""
    vocab = vocabulary()
    return [
        w
        for w in words
        if len(w) >= 4
        and not w.isdigit()
        and not vocab.knows(w)
        and w not in word_synonyms()
        and not _umlaut_variant(w, vocab)
    ]


def build_terms(words: list[str], corrections: dict[str, str]) -> list[Term]:
    """Terms of the query; adjacent words whose joined form the catalogue knows become one
    term that matches either the joined word or both parts ("Hunde Steuer")."""
    vocab = vocabulary()
    terms: list[Term] = []
    i = 0
    while i < len(words):
        word = words[i]
        if i + 1 < len(words):
            joined = word + words[i + 1]
            if len(joined) >= 7 and vocab.knows(joined):
                both = [
                    "(" + " | ".join(_alternatives(w, vocab, corrections)) + ")"
                    for w in (word, words[i + 1])
                ]
                weight = max(_weight(word), _weight(words[i + 1]))
                terms.append(Term(joined, weight, [_prefix(joined), "(" + " & ".join(both) + ")"]))
                i += 2
                continue
        terms.append(Term(word, _weight(word), _alternatives(word, vocab, corrections)))
        i += 1
    return terms[:MAX_TERMS]
