"""Typography done by the build, on text only (never on markup, addresses or identifiers), so that editors never
type a no-break space by hand and a value is never changed.

- Both languages: no line break between a quantity and its unit (5 mg, 24 %): the space becomes a no-break space.
- French: a narrow no-break space before ; ! ? and inside « », a no-break space before a colon, the space added
  where it is missing; and, in quantities only (a number followed by its unit: 4.8 mois, 5218 patients, 0.5 à
  1 mg/kg), a decimal comma and thousands grouped with a narrow no-break space (4,8 mois; 5 218 patients). A
  number that is not a quantity (a section "rubrique 4.5", a version "2.1", a year, a PMID, a DOI, a date) keeps
  what the editor wrote.

Content texts get this on each text node of their fragment (calcguide/fragments.py); a span written between
backticks (`4.5`) is a literal and is left exactly as written. Interface strings and titles get `plain_text`.
The French pages' own template text gets the punctuation from a Markdown tree processor (`FrenchTypography`).

Every function here is linear in the length of its text: the patterns are anchored at word or run starts, so a
5,000-letter word or a run of spaces costs one pass (tests/test_typography.py measures it).
"""
from __future__ import annotations

import datetime as dt  # noqa: F401 - the type of written_date's date
import functools
import re
import xml.etree.ElementTree as etree
from typing import Iterable

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"
SPACES = " \t" + NBSP + NARROW_NBSP
_SPACE_CLASS = "[" + SPACES + "]"

# Never touched: addresses, DOIs, e-mail addresses (their colons, question marks and dots are not punctuation).
# Anchored at the start of a word, so that a long word is scanned once.
PROTECTED_WORD = re.compile(r"(?<!\S)(?:[a-z][a-z0-9+.-]*://|mailto:|doi:|www\.)\S*|(?<!\S)[^\s@]+@[^\s@]*\.\S*",
                            re.IGNORECASE)

# Prose punctuation is followed by a space, a closing sign or the end of the text ("2014;35(7):444" is not).
_FOLLOWS = r"(?=[\s)\]»,.;:!?]|$)"
_AFTER_WORD = r"(?:(?<=[^\s;:!?«(\[" + NBSP + NARROW_NBSP + r"])|^)"
# A word (or closing sign) then perhaps spaces, then the mark: the spaces become the right no-break space. The
# spaces are matched only from the start of their run (the look-behind), never from inside it.
HIGH_PUNCTUATION = re.compile(_AFTER_WORD + _SPACE_CLASS + r"*([;!?]+)" + _FOLLOWS)
COLON = re.compile(_AFTER_WORD + _SPACE_CLASS + r"*:" + _FOLLOWS)
OPENING_QUOTE = re.compile(r"«" + _SPACE_CLASS + r"*")
CLOSING_QUOTE = re.compile(r"(?<!" + _SPACE_CLASS + r")" + _SPACE_CLASS + r"*»")


def _outside(protected: re.Pattern, text: str, change) -> str:  # noqa: ANN001 - a str -> str function
    """Apply `change` to the parts of text that `protected` does not match."""
    pieces, start = [], 0
    for match in protected.finditer(text):
        pieces += [change(text[start:match.start()]), match.group(0)]
        start = match.end()
    return "".join([*pieces, change(text[start:])])


def _punctuate(text: str) -> str:
    text = HIGH_PUNCTUATION.sub(lambda match: NARROW_NBSP + match.group(1), text)
    text = COLON.sub(NBSP + ":", text)
    text = OPENING_QUOTE.sub("«" + NARROW_NBSP, text)
    return CLOSING_QUOTE.sub(NARROW_NBSP + "»", text)


def french_punctuation(text: str) -> str:
    """No-break spaces before ; : ! ? and inside « », added where missing, never inside an address or DOI."""
    if not any(mark in text for mark in ";:!?«»"):
        return text
    return _outside(PROTECTED_WORD, text, _punctuate)


# --- quantities -------------------------------------------------------------------------------------------------

# The units a quantity may have, in either language (lowercase; a unit may be followed by /something: mg/kg).
UNITS = frozenset("""
    % ‰ mg g kg µg μg mcg ng ml dl l mmol µmol μmol mol meq ui iu u mm cm m µm μm mmhg °c gy j mj hz mhz w kv
    h min s j d jour jours day days semaine semaines week weeks mois month months an ans année années year years
    fois time times patient patients enfant enfants child children adulte adultes adult adults cas case cases
    séance séances session sessions cycle cycles cure cures dose doses comprimé comprimés tablet tablets
    injection injections perfusion perfusions infusion infusions étude études study studies lésion lésions
    lesion lesions nodule nodules
""".split())
# Words that join the two ends of one quantity (240 to 480 mg, 2 × 5 mg). "and", "or" and a comma do not: they may
# join a quantity to a number of another kind ("PMID 123 and 4 mg").
CONNECTORS = frozenset({"to", "à", "-", "–", "—", "×", "x"})
# A number, or several joined without spaces (0.5–1, 1290/5218), perhaps with a percent sign glued to it.
NUMBER = re.compile(r"\d+(?:[.,]\d+)?(?:[–/-]\d+(?:[.,]\d+)?)*%?")
_DECIMAL = re.compile(r"(\d)\.(\d)")
_INTEGER = re.compile(r"\d{4,}")
_EDGES = "()[]«»\"“”'’,;:.!?"
_WORDS = re.compile(r"(" + _SPACE_CLASS + r"+|\n+)")


def _unit(word: str) -> bool:
    core = word.strip(_EDGES).lower()
    return core in UNITS or core.split("/", 1)[0] in UNITS and "/" in core


def _group(match: re.Match) -> str:
    digits = match.group(0)
    head = len(digits) % 3 or 3
    return NARROW_NBSP.join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


def _french_number(number: str) -> str:
    number = _INTEGER.sub(_group, _DECIMAL.sub(r"\1,\2", number))
    return number[:-1] + NARROW_NBSP + "%" if number.endswith("%") and not number.endswith(NARROW_NBSP + "%") else number


def quantities(text: str, lang: str) -> str:
    """The numbers of text that are quantities (followed by their unit, directly or through a range), typeset:
    the space before the unit made no-break; in French, a decimal comma and grouped thousands."""
    if not any(character.isdigit() for character in text):
        return text
    parts = _WORDS.split(text)  # words at even positions, the spaces between them at odd ones
    quantity_follows = False  # the word after this one (past a connector) is a unit or a quantity
    unit_next = False
    for position in range(len(parts) - 1, -1, -2):
        word = parts[position]
        lead, core = _split_leading(word)
        trail = core[len(core.rstrip(_EDGES.replace("%", ""))):]
        number = core[:len(core) - len(trail)] if trail else core
        if NUMBER.fullmatch(number) and (not trail and (unit_next or quantity_follows) or number.endswith("%")):
            if lang == "fr":
                number = _french_number(number)
            parts[position] = lead + number + trail
            if unit_next and position + 1 < len(parts) and parts[position + 1] in (" ", NBSP, NARROW_NBSP):
                parts[position + 1] = NARROW_NBSP if lang == "fr" and parts[position + 2].startswith("%") else NBSP
            quantity_follows, unit_next = True, False
        elif _unit(word):
            unit_next, quantity_follows = True, False
        elif word in CONNECTORS:
            unit_next = False  # a connector keeps quantity_follows as it is
        else:
            unit_next = quantity_follows = False
    return "".join(parts)


def _split_leading(word: str) -> tuple[str, str]:
    core = word.lstrip("([«\"“")
    return word[:len(word) - len(core)], core


# A number whose thousands an editor wrote with plain spaces ("1 305", "50 000"): one number, its groups joined
# by a narrow no-break space, so that a line never breaks inside it. Groups are exactly three digits after a
# first group of one to three, so that two numbers side by side ("2014 123") are never joined.
SPACED_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:[ " + NBSP + r"]\d{3})+(?![\d,.]\d)(?!\d)")
# Chemical formulas in prose: the digit of a molecule is a subscript (CO₂), wherever the editor typed it plain.
FORMULAS = {re.compile(r"(?<![\w-])CO2(?![\w-])"): "CO\u2082"}
# French: the typographic apostrophe between two letters (l’association, aujourd’hui), never in an address.
# An elision at the end of a text node ("L'" before "<strong>échographie</strong>") is one too.
APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_]|$)")


def grouped_thousands(text: str) -> str:
    return SPACED_THOUSANDS.sub(lambda match: re.sub("[ " + NBSP + "]", NARROW_NBSP, match.group(0)), text)


def formulas(text: str) -> str:
    for pattern, replacement in FORMULAS.items():
        text = pattern.sub(replacement, text)
    return text


def french_apostrophes(text: str) -> str:
    if "'" not in text:
        return text
    return _outside(PROTECTED_WORD, text, lambda part: APOSTROPHE.sub("\u2019", part))


def typeset(text: str, lang: str) -> str:
    """One text node of `lang`: quantities, thousands, formulas, and in French the punctuation and apostrophes."""
    # The cache holds plain strings only: a caller's str subclass (render's Trusted) must never be handed to another
    # caller that passed an equal plain string; an unchanged text is given back as it came.
    typeset_text = _typeset(str(text), lang)
    return text if typeset_text == text else typeset_text


@functools.lru_cache(maxsize=16384)  # a pure function of its text; the same names and interface words, every page
def _typeset(text: str, lang: str) -> str:
    if any(character.isdigit() for character in text):
        text = formulas(quantities(grouped_thousands(text), lang))
    return french_apostrophes(french_punctuation(text)) if lang == "fr" else text


def written_date(date: "dt.date", lang: str, pattern: str) -> str:
    """A date as readers of the language write it in prose (29 November 2026, 29 novembre 2026): `pattern` is the
    Babel pattern of the interface string `date_format`; the day and the month never part at a line end."""
    from babel.dates import format_date

    words = format_date(date, pattern, locale=lang)
    if lang == "fr" and date.day == 1 and words.startswith("1 "):  # French writes the first of a month « 1er »
        words = "1er" + words[1:]
    return words.replace(" ", NBSP, 1)


_ELIDED_DE = re.compile(r"\bde (?=[aeiouyéèêâîôûAEIOUYÉ])")


def elide(text: str, lang: str) -> str:
    """French elides « de » before a vowel: « daté d’avril 2019 », « daté d’août 2021 » (interface words joined
    to a date in words)."""
    return _ELIDED_DE.sub("d’", text) if lang == "fr" else text


# --- lower case after a colon (French) ---------------------------------------------------------------------------

# The first word of a text: its letters (an elided article included: "L'association", "L’hydroxyde").
_FIRST_WORD = re.compile(r"([^\W\d_])([^\W\d_]*(?:['’][^\W\d_]+)?)")
_LEADING_TAGS = re.compile(r"(?:<[^>]*>|\s)*")


def lower_first_word(html: str, proper_nouns: frozenset[str]) -> str:
    """A content text's inline HTML to follow a generated colon in French ("Mécanisme : le médicament…"): its
    first letter in lower case, unless its first word is a proper noun (one the guide writes with a capital inside
    a sentence, or a brand), an abbreviation (AMM, CRAT) or a single letter. Empty when nothing changes."""
    start = _LEADING_TAGS.match(html).end()
    word = _FIRST_WORD.match(html, start)
    if not word or not word.group(1).isupper() or not (word.group(2) or word.group(1) == "À"):
        return ""
    if word.group(2) and not word.group(2).replace("'", "").replace("’", "").islower():
        return ""
    stem = re.split("['’]", word.group(0))[-1]
    if word.group(0) in proper_nouns or stem in proper_nouns:
        return ""
    return html[:start] + word.group(1).lower() + html[start + 1:]


def proper_nouns(texts: Iterable[str]) -> frozenset[str]:
    """The words that texts write with a capital inside a sentence (after a lower-case word): names of people,
    places, bodies and brands ("Raynaud", a brand), which keep their capital after a colon."""
    found = set()
    for text in texts:
        found.update(re.findall(r"(?<=[^\W\d_,;:.!?»)\]] )([A-ZÀ-ÖØ-Þ][^\W\d_]+)", text))
    return frozenset(found - ARTICLES)


# Articles begin a sentence, not a name, even where a name starts with one ("Le C", an author).
ARTICLES = frozenset({"Le", "La", "Les", "Un", "Une", "Des", "Du", "De"})


def plain_text(text: str, lang: str) -> str:
    """A short text that is not Markdown (a title, an interface string, a setting), typeset for `lang`."""
    return typeset(text, lang)


# --- the French pages' own text (templates, interface strings) ---------------------------------------------------

# Bibliographic references keep the typography of their own language (most titles are English), so their
# containers are left alone; the French texts inside them (notes) were typeset with their fragment.
FOREIGN_CLASSES = {"cg-reflist", "cg-ref"}


class _PunctuationTreeprocessor(Treeprocessor):
    SKIPPED = {"code", "pre", "kbd", "samp", "script", "style"}

    def run(self, root: etree.Element) -> None:
        self._walk(root)

    def _walk(self, element: etree.Element) -> None:
        if (element.tag in self.SKIPPED or not element.get("lang", "fr").startswith("fr")
                or FOREIGN_CLASSES & set(element.get("class", "").split())):
            return
        if element.text:
            element.text = french_apostrophes(french_punctuation(element.text))
        for child in element:
            self._walk(child)
            if child.tail:
                child.tail = french_apostrophes(french_punctuation(child.tail))


class _TableOfContentsTreeprocessor(Treeprocessor):
    """The table of contents keeps each heading's name with its white space collapsed to plain spaces; typeset
    the names again so that the sidebar reads like the page."""

    def run(self, root: etree.Element) -> None:
        self._typeset(getattr(self.md, "toc_tokens", []))

    def _typeset(self, tokens: list[dict]) -> None:
        for token in tokens:
            token["name"] = french_apostrophes(french_punctuation(token["name"]))
            self._typeset(token.get("children", []))


class FrenchTypography(Extension):
    """Python-Markdown extension for French pages; MkDocs loads it as `calcguide.typography`."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        # After the inline patterns (20), which make the text nodes; before the table of contents (5), so that
        # the sidebar shows the same text as the page.
        md.treeprocessors.register(_PunctuationTreeprocessor(md), "calcguide_french_typography", 6)
        md.treeprocessors.register(_TableOfContentsTreeprocessor(md), "calcguide_french_toc", 4)


def makeExtension(**kwargs) -> FrenchTypography:  # noqa: N802 - the name Python-Markdown looks for
    return FrenchTypography(**kwargs)


def markdown_extensions(lang: str) -> list[str]:
    return ["calcguide.typography"] if lang == "fr" else []
