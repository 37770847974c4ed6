"""Typography done by the build: no-break spaces before ; : ! ? and inside « », a quantity's figures grouped with a
decimal comma and kept on the line of its unit — on every French page, in the French search index and in the
French handout — and never a value changed (a section number, a version, an identifier, a literal)."""
from __future__ import annotations

import html.parser
import json
import re
import resource
from pathlib import Path

import pytest

from calcguide.render import load_catalogue
from calcguide.fragments import CONTENT_MARKDOWN, Setting
from calcguide.typography import NARROW_NBSP, NBSP, french_punctuation, typeset
from calcguide.search import read_index
from conftest import PROJECT, is_redirect_page

# Prose punctuation (followed by a space, a closing sign or the end) without the no-break space French needs.
# Bibliographic punctuation ("2014;35(7):444") is not followed by a space, and is left as written.
UNSPACED = re.compile(r"(?:(?<=[^\s" + NBSP + NARROW_NBSP + r";:!?«(\[])|(?<=[ \t\n]))[;:!?](?=[\s)\]»,.]|$)")
ADDRESS = re.compile(r"(?:[a-z][a-z0-9+.-]*://|mailto:|doi:|www\.)\S+|\S+@\S+\.\S+", re.IGNORECASE)


class _ProseText(html.parser.HTMLParser):
    """The French prose of a page: its text outside code, scripts, and bibliographic references (which keep the
    typography of their own language)."""

    LEFT_OUT = {"script", "style", "code", "pre", "kbd", "samp"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, lang: str = "fr", skipped: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.lang = lang
        self.skipped = {"cg-reflist", "cg-ref"} | skipped
        self.open: list[bool] = []  # for each open element: is its text left out?
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        foreign = not (attributes.get("lang") or self.lang).startswith(self.lang)
        if tag == "a" and not (self.open and self.open[-1]):
            self.parts.append(LINK_START)
        self.open.append(bool(self.open and self.open[-1]) or tag in self.LEFT_OUT or foreign
                         or bool(classes & self.skipped))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if not (self.open and self.open[-1]):
            self.parts.append(data)


LINK_START = "\x00"  # where a link begins in the prose (a title after "Voir :" keeps its capital)


def prose(html_text: str, lang: str = "fr", skipped: frozenset[str] = frozenset()) -> str:
    """A page's prose in `lang`, addresses blanked out, each link's start marked with LINK_START; elements of the
    `skipped` classes left out too."""
    parser = _ProseText(lang, skipped)
    parser.feed(html_text)
    return ADDRESS.sub(" ", "".join(parser.parts))


def unspaced_punctuation(html_text: str) -> list[str]:
    text = prose(html_text).replace(LINK_START, "")
    return [text[max(0, match.start() - 30):match.end() + 10] for match in UNSPACED.finditer(text)]


# --- the rules -------------------------------------------------------------------------------------------------

def test_plain_space_before_colon_becomes_a_no_break_space():
    assert french_punctuation("Posologie : 1 mg") == f"Posologie{NBSP}: 1 mg"


def test_narrow_no_break_space_before_semicolon_question_and_exclamation_marks():
    assert french_punctuation("un ; deux ? trois !") == f"un{NARROW_NBSP}; deux{NARROW_NBSP}? trois{NARROW_NBSP}!"


def test_missing_space_before_punctuation_is_added():
    assert french_punctuation("petite taille; Formes") == f"petite taille{NARROW_NBSP}; Formes"


def test_guillemets_hold_narrow_no_break_spaces():
    assert french_punctuation("« calcinose »") == f"«{NARROW_NBSP}calcinose{NARROW_NBSP}»"


def test_addresses_dois_and_bibliographic_punctuation_are_left_alone():
    for text in ("https://example.test/a?b=1: c", "doi:10.1016/j.revmed.2014.04.018", "2014;35(7):444-452", "10:30"):
        assert french_punctuation(text) == text


def test_quantities_take_grouped_thousands_and_a_decimal_comma():
    assert typeset("1290/5218 patients, 4.8 months, 24.7%", "fr") == (
        f"1{NARROW_NBSP}290/5{NARROW_NBSP}218{NBSP}patients, 4,8{NBSP}months, 24,7{NARROW_NBSP}%")


def test_a_range_is_one_quantity():
    assert typeset("0.5 à 1.5 g par jour", "fr") == f"0,5 à 1,5{NBSP}g par jour"


def test_section_numbers_versions_and_identifiers_keep_their_figures():
    # Issue 30, item 1: "rubrique 4.5 … version 2.1" stays as written.
    text = ("rubrique 4.5 du RCP, version 2.1, en 2014 [@bienvenu-2014], PMID 27371996 et 2 mois, NCT03267277, "
            "[doi](https://doi.org/10.1/2014.1234), version 1.2.3, code edit12345, v1.5, le 2014-04-18")
    html = CONTENT_MARKDOWN.render(text, Setting("fr")).html
    for kept in ("4.5", "2.1", "2014", "27371996", "NCT03267277", "10.1/2014.1234", "1.2.3", "edit12345", "v1.5",
                 "2014-04-18"):
        assert kept in html, kept


def test_a_literal_between_backticks_is_left_exactly_as_written():
    html = CONTENT_MARKDOWN.render("la dose `4.5 mg` : 4.5 mg", Setting("fr")).html
    assert html == f"<p>la dose 4.5 mg&nbsp;: 4,5&nbsp;mg</p>\n"


def test_a_quantity_keeps_its_unit_on_its_line_in_english_too():
    assert typeset("240 to 480 mg a day, 20 % of 5218 patients", "en") == (
        f"240 to 480{NBSP}mg a day, 20{NBSP}% of 5218{NBSP}patients")


def test_typesetting_twice_changes_nothing():
    once = typeset("Note : 5218 patients ; « oui » ? 4.8 mg", "fr")
    assert typeset(once, "fr") == once


@pytest.mark.parametrize("text", ["a" * 5000, "1" * 5000, " " * 4999 + "»", "x" + " " * 4999, ":" * 5000,
                                  "a@" * 2500, "http://" * 700, "4 " * 2500, "4.5 mg " * 700, "«" * 5000,
                                  "é" * 5000 + " ;"])
def test_typography_is_linear_on_long_words_and_runs(text):
    # A quadratic pattern takes seconds on 5,000 characters (the 5,000-letter French words took minutes
    # through the pages); one pass takes milliseconds. Processor time, not the wall clock of a shared machine.
    before = resource.getrusage(resource.RUSAGE_SELF).ru_utime
    for _ in range(20):
        typeset(text, "fr")
        CONTENT_MARKDOWN.render(text, Setting("fr"))
    assert resource.getrusage(resource.RUSAGE_SELF).ru_utime - before < 2.0


def test_the_checker_finds_a_plain_space_before_a_colon():
    assert unspaced_punctuation("<p>Posologie : 1 mg</p>") and not unspaced_punctuation(f"<p>Posologie{NBSP}: 1</p>")


# --- the build ---------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def french_site(built) -> Path:
    return built.site_dir / "fr"


def test_every_french_page_is_typeset(french_site: Path):
    pages = sorted(page for page in french_site.rglob("*.html") if not is_redirect_page(page))
    assert pages
    mistakes = {page.name: found for page in pages if (found := unspaced_punctuation(page.read_text(encoding="utf-8")))}
    assert mistakes == {}


def test_the_french_search_index_is_typeset(french_site: Path):
    """Every document but the reference lists (the index keeps no classes to tell a reference from prose)."""
    references_page = load_catalogue(PROJECT / "templates").pages["references"].slug["fr"] + ".html"
    index = read_index(french_site)
    prose = [document for document in index["docs"]
             if document["location"].split("#")[0] != references_page and not document["location"].endswith("#references")]
    assert len(prose) > 20
    mistakes = [found for document in prose for field in ("title", "text")
                if (found := unspaced_punctuation(document.get(field, "")))]
    assert mistakes == []


@pytest.mark.browser  # reads the handout page that the pdf stage writes; the fast tier skips that stage
def test_the_french_handout_is_typeset(built):
    handout = built.work_dir / "handouts" / "handout-fr.html"
    assert unspaced_punctuation(handout.read_text(encoding="utf-8")) == []


def test_english_pages_keep_english_punctuation(built):
    page = (built.site_dir / "en" / "index.html").read_text(encoding="utf-8")
    assert f"{NBSP}:" not in page and f"{NARROW_NBSP};" not in page


# --- every page of both languages: numbers, apostrophes, dates, colons, formulas --------------------------------

# A measure and its unit, or a thousands group, with a space a line may break at (not U+00A0 or U+202F).
UNITS_OF_MEASURE = r"(?:mg|g|kg|µg|μg|mL|ml|L|dL|dl|mmol|µmol|μmol|mEq|UI|IU|mm|cm|m|Gy|h|min|%|mm\s?Hg)"
BREAKABLE_QUANTITY = re.compile(r"(?<![\w.,/-])\d+(?:[.,]\d+)?[ \t\n]+" + UNITS_OF_MEASURE + r"(?![\w/'’])")
BREAKABLE_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}[ \t\n]\d{3}(?!\d)")
STRAIGHT_APOSTROPHE = re.compile(r"[^\W\d_]'[^\W\d_]")
ISO_DATE = re.compile(r"(?<![\w-])(?:19|20)\d\d-[01]\d-[0-3]\d(?![\w-])")
CAPITAL_AFTER_COLON = re.compile(r"[ \u00a0\u202f]:[ \u00a0\n]+([A-ZÀ-ÖØ-Þ][^\W\d_]*(?:['’][^\W\d_]+)?)")


def pages_of(site: Path, lang: str) -> list[Path]:
    pages = sorted(path for path in (site / lang).rglob("*.html") if "assets" not in path.parts
                   and not is_redirect_page(path))
    assert len(pages) > 30
    return pages


def quoted(text: str, match: re.Match) -> str:
    return text[max(0, match.start() - 25):match.end() + 10].replace(LINK_START, "")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_line_break_inside_a_quantity_or_a_thousands_group_on_any_page(built, lang):
    found = {}
    for page in pages_of(built.site_dir, lang):
        text = prose(page.read_text(encoding="utf-8"), lang).replace(LINK_START, "")
        breaks = [quoted(text, match) for pattern in (BREAKABLE_QUANTITY, BREAKABLE_THOUSANDS)
                  for match in pattern.finditer(text)]
        if breaks:
            found[page.name] = breaks
    assert found == {}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_dates_in_prose_are_written_out_and_co2_has_its_subscript_on_every_page(built, lang):
    found = {}
    for page in pages_of(built.site_dir, lang):
        text = prose(page.read_text(encoding="utf-8"), lang).replace(LINK_START, "")
        wrong = [quoted(text, match) for pattern in (ISO_DATE, re.compile(r"\bCO2\b")) for match in pattern.finditer(text)]
        if wrong:
            found[page.name] = wrong
    assert found == {}


def test_french_prose_uses_the_typographic_apostrophe_on_every_page(french_site: Path):
    found = {}
    for page in pages_of(french_site.parent, "fr"):
        text = prose(page.read_text(encoding="utf-8")).replace(LINK_START, "")
        if straight := [quoted(text, match) for match in STRAIGHT_APOSTROPHE.finditer(text)]:
            found[page.name] = straight
    assert found == {}


def test_french_goes_on_in_lower_case_after_a_colon_on_every_page(french_site: Path, guide):
    from calcguide.render import Renderer

    names = Renderer(guide, load_catalogue(PROJECT / "templates"), PROJECT / "templates")._proper_nouns()
    found = {}
    for page in pages_of(french_site.parent, "fr"):
        # "Cite this page" is a bibliographic reference: "In : Calcinoses sous-cutanées…" names a book.
        text = prose(page.read_text(encoding="utf-8"), skipped=frozenset({"cg-cite"}))
        capitals = [quoted(text, match) for match in CAPITAL_AFTER_COLON.finditer(text)
                    if match.group(1) not in names and not match.group(1).isupper() and len(match.group(1)) > 1]
        if capitals:
            found[page.name] = capitals
    assert found == {}


def test_after_a_colon_a_french_text_starts_in_lower_case_unless_a_name_starts_it():
    from calcguide.typography import lower_first_word

    assert lower_first_word("<strong>Les</strong> sources", frozenset()) == "<strong>les</strong> sources"
    assert lower_first_word("L’association du diltiazem", frozenset()) == "l’association du diltiazem"
    assert lower_first_word("À jeun", frozenset()) == "à jeun"
    assert lower_first_word("Raynaud", frozenset({"Raynaud"})) == ""
    assert lower_first_word("AMM européenne", frozenset()) == ""
    assert lower_first_word("« Citation »", frozenset()) == ""


def test_thousands_typed_with_spaces_stay_one_number_and_co2_takes_its_subscript():
    assert typeset("1 305 patients", "en") == f"1{NARROW_NBSP}305{NBSP}patients"
    assert typeset("50 000 dollars", "fr") == f"50{NARROW_NBSP}000 dollars"
    assert typeset("en 2014 puis 2015", "fr") == "en 2014 puis 2015"
    assert typeset("laser CO2", "fr") == "laser CO\u2082" and typeset("CO2-laser", "en") == "CO2-laser"
    assert typeset("l'association", "fr") == "l\u2019association" and typeset("it's", "en") == "it's"
    assert typeset("voir https://a.org/l'x", "fr") == "voir https://a.org/l'x"
