"""One statement, many views (issue 22): wherever a built view shows a regimen it shows the regimen's dose note,
and wherever an interaction appears it shows the interaction's action word for word, naming both drugs.

The views walked: every page of both sites (treatment pages, the tiers table, the algorithm, Safety at a glance,
the home page and the rest) and the handout HTML of both languages. Texts are compared as a reader sees them:
citations, Markdown marks, spaces and typographic quotes are set aside, so that the build's typography and
citation numbers never hide a missing sentence or invent a match."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

import pytest

from calcguide.content import LANGS, Guide, load_guide
from calcguide.handout import HandoutRenderer
from calcguide.pages import plan_pages
from calcguide.render import load_catalogue
from conftest import PROJECT

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict
    parts: list = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)


class Elements(HTMLParser):
    """Every element of a page with the text it holds (its own and its descendants')."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[Element] = []
        self.done: list[Element] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.open.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag):
        while self.open:
            element = self.open.pop()
            self.done.append(element)
            if element.tag == tag:
                break

    def handle_data(self, data):
        for element in self.open:
            element.parts.append(data)


def elements(html: str) -> list[Element]:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser.done + parser.open


def key(text: str) -> str:
    """A text as a reader compares it: no citations, Markdown marks, spaces, quotes or apostrophe variants; a
    decimal comma and point alike; capitals alike (after a colon French goes on in lower case)."""
    text = unescape(text)
    text = re.sub(r"\s*\[@[^\]]+\]", "", text)  # a source citation [@id]
    text = re.sub(r"\[(\d+(?:,\s*\d+)*)\]", "", text)  # a built citation [3] or [3, 4]
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # a Markdown link keeps its words
    text = text.replace("’", "'").replace("–", "-")
    text = re.sub(r"(\d)[.,](\d)", r"\1.\2", text)
    return re.sub(r"[\s*_`«»\"“”]", "", text).lower()


def page_text(html: str) -> str:
    return key("".join(e.text for e in elements(html) if e.tag == "html"))


def short_name(guide: Guide, treatment_id: str, lang: str) -> str:
    return guide.treatment(treatment_id).name[lang].split(" (")[0]


@dataclass
class View:
    name: str
    lang: str
    html: str


def views(built, guide: Guide) -> list[View]:
    catalogue = load_catalogue(PROJECT / "templates")
    found = []
    for lang in LANGS:
        for page in plan_pages(guide, catalogue):
            path = built.site_dir / lang / page.url(lang)
            found.append(View(page.page_id, lang, path.read_text(encoding="utf-8")))
        found.append(View("handout", lang, HandoutRenderer(guide, catalogue, PROJECT / "templates").html(lang, PROJECT)))
    return found


# --- the checks (functions, so that the mutation tests below can feed them a broken view) -------------------------

def regimens_without_their_note(guide: Guide, view: View) -> list[str]:
    """A view, or a row of one of its tables, that shows a regimen with a dose note but not the note."""
    problems = []
    page = page_text(view.html)
    found = elements(view.html)
    rows = [key(e.text) for e in found if e.tag == "tr"]
    # Where a row names interactions: its interactions cell (a contraindication may name the same drug, as a
    # contraindication, in its own cell).
    lists = [key(e.text) for e in found if "cg-glance__interactions" in (e.attrs.get("class") or "")]
    for treatment in guide.treatments:
        note = treatment.safety.dose_note if treatment.safety else None
        if note is None:
            continue
        regimen, needed = key(treatment.regimen[view.lang]), key(note[view.lang])
        if regimen in page and needed not in page:
            problems.append(f"{view.name} ({view.lang}) shows the regimen of {treatment.id} without its dose note")
        for row in rows:
            if regimen in row and needed not in row:
                problems.append(f"a table row of {view.name} ({view.lang}) shows the regimen of {treatment.id} "
                                "without its dose note")
    return problems


def boxes_without_their_action(guide: Guide, view: View) -> list[str]:
    """An algorithm box that lists two treatments with an interaction but lacks its action or a drug's name."""
    problems = []
    boxes = {e.attrs.get("id"): key(e.text) for e in elements(view.html) if e.attrs.get("id", "").startswith("step-")}
    for node in guide.algorithm.nodes:
        for shown in guide.interactions_among(node.treatments):
            box = boxes.get(f"step-{node.id}")
            if box is None:
                problems.append(f"{view.name} ({view.lang}) has no box {node.id}")
                continue
            wanted = [shown.interaction.action[view.lang], short_name(guide, shown.owner, view.lang),
                      short_name(guide, shown.partner, view.lang)]
            for text in wanted:
                if key(text) not in box:
                    problems.append(f"box {node.id} of {view.name} ({view.lang}) lacks {text[:50]!r}")
    return problems


def glance_rows_without_their_action(guide: Guide, view: View) -> list[str]:
    """A row of Safety at a glance that does not show the action of each of its drug's interactions with the
    guide's other treatments, or that names another interaction without its action (issue 23: the row counts
    those and links to them)."""
    problems = []
    found = elements(view.html)
    rows = [key(e.text) for e in found if e.tag == "tr"]
    # Where a row names interactions: its interactions cell (a contraindication may name the same drug, as a
    # contraindication, in its own cell).
    lists = [key(e.text) for e in found if "cg-glance__interactions" in (e.attrs.get("class") or "")]
    for treatment in guide.treatments:
        if treatment.kind != "drug" or not treatment.safety:
            continue
        name = key(treatment.name[view.lang])
        row = next((row for row in rows if row.startswith(name)), None)
        if row is None:
            problems.append(f"Safety at a glance ({view.lang}) has no row for {treatment.id}")
            continue
        for shown in guide.interactions_of(treatment.id):
            listed = next((cell for cell in lists if cell and cell in row), "")
            named = shown.partner is not None or key(shown.interaction.other[view.lang]) in listed
            if named and key(shown.interaction.action[view.lang]) not in row:
                problems.append(f"the row of {treatment.id} in Safety at a glance ({view.lang}) lacks the action of "
                                f"its interaction with {shown.other_than(treatment.id) or shown.interaction.other[view.lang]}")
    return problems


def treatment_pages_without_their_action(guide: Guide, view: View) -> list[str]:
    problems = []
    page = page_text(view.html)
    for shown in guide.interactions_of(view.name):
        if key(shown.interaction.action[view.lang]) not in page:
            problems.append(f"the page of {view.name} ({view.lang}) lacks the action of one of its interactions")
    return problems


def all_problems(guide: Guide, all_views: list[View]) -> list[str]:
    problems = []
    treatment_ids = {treatment.id for treatment in guide.treatments}
    for view in all_views:
        problems += regimens_without_their_note(guide, view)
        if view.name in ("algorithm", "handout"):
            problems += boxes_without_their_action(guide, view)
        if view.name == "safety":
            problems += glance_rows_without_their_action(guide, view)
        if view.name in treatment_ids:
            problems += treatment_pages_without_their_action(guide, view)
    return problems


@pytest.fixture(scope="module")
def walked(built):
    guide = load_guide(PROJECT / "content")
    return guide, views(built, guide)


# --- the tests ----------------------------------------------------------------------------------------------------

def test_every_view_shows_each_regimen_with_its_note_and_each_interaction_with_its_action(walked):
    guide, all_views = walked
    assert all_problems(guide, all_views) == []


def test_the_walk_covers_both_sites_and_both_handouts_and_finds_what_it_checks(walked):
    guide, all_views = walked
    assert {(view.name, view.lang) for view in all_views} >= {
        (name, lang) for name in ("algorithm", "handout", "treatments", "safety", "home") for lang in LANGS}
    # The checks must have something to check: a regimen with a note shown in the tiers table, and a box that
    # lists two treatments that interact.
    noted = [t for t in guide.treatments if t.safety and t.safety.dose_note]
    assert noted
    tiers = next(view for view in all_views if view.name == "treatments" and view.lang == "en")
    assert any(key(t.regimen["en"]) in page_text(tiers.html) for t in noted)
    assert any(guide.interactions_among(node.treatments) for node in guide.algorithm.nodes)


def _first_box_with_an_interaction(guide: Guide):
    return next(node for node in guide.algorithm.nodes if guide.interactions_among(node.treatments))


@pytest.mark.parametrize("view_name", ["algorithm", "handout"])
def test_a_box_without_the_action_is_found(walked, view_name):
    guide, all_views = walked
    node = _first_box_with_an_interaction(guide)
    for lang in LANGS:
        view = next(v for v in all_views if v.name == view_name and v.lang == lang)
        # The mutation: the box keeps its alert's names but loses the action that follows them.
        broken = re.sub(r'(<li class="cg-flow__interaction"[^>]*><strong>.*?</strong>).*?(</li>)', r"\1\2",
                        view.html, flags=re.S)
        assert broken != view.html
        problems = boxes_without_their_action(guide, View(view_name, lang, broken))
        assert any(f"box {node.id}" in problem for problem in problems)


@pytest.mark.parametrize("view_name", ["treatments", "handout"])
def test_a_table_without_the_dose_note_is_found(walked, view_name):
    guide, all_views = walked
    for lang in LANGS:
        view = next(v for v in all_views if v.name == view_name and v.lang == lang)
        # The mutation: every dose note beside a regimen in a table is dropped.
        broken = re.sub(r'<(span|div) class="cg-dose-note">.*?</\1>', "", view.html, flags=re.S)
        assert broken != view.html
        problems = regimens_without_their_note(guide, View(view_name, lang, broken))
        assert any("table row" in problem for problem in problems)


def test_a_glance_row_without_an_action_is_found(walked):
    guide, all_views = walked
    view = next(v for v in all_views if v.name == "safety" and v.lang == "fr")
    broken = re.sub(r"(<ul class=\"cg-glance__interactions\">.*?<li>.*?</strong>)[^<]*", r"\1", view.html,
                    count=1, flags=re.S)
    assert glance_rows_without_their_action(guide, View("safety", "fr", broken))


def test_an_interaction_summary_is_refused_with_its_location(content_copy):
    from conftest import errors_of

    path = content_copy / "treatments" / "diltiazem.yml"
    text = path.read_text(encoding="utf-8")
    assert "    - treatment: colchicine\n" in text
    path.write_text(text.replace("    - treatment: colchicine\n", (
        "    - treatment: colchicine\n"
        "      summary: {en: \"Colchicine 1 mg a day at most [@imazio-2021].\", "
        "fr: \"Colchicine 1 mg/j au plus [@imazio-2021].\"}\n"), 1), encoding="utf-8")
    errors = errors_of(content_copy)
    assert any(error.startswith("treatments/diltiazem.yml:") and "summary" in error and "action" in error
               for error in errors), errors


def test_a_glance_row_naming_an_interaction_without_its_action_is_found(walked):
    guide, all_views = walked
    view = next(v for v in all_views if v.name == "safety" and v.lang == "en")
    assert glance_rows_without_their_action(guide, view) == []
    other = next(shown.interaction.other["en"] for shown in guide.interactions_of("diltiazem") if shown.partner is None)
    row = view.html.index("diltiazem.html#before-prescribing")
    mark = view.html.index('<ul class="cg-glance__interactions">', row) + len('<ul class="cg-glance__interactions">')
    named = view.html[:mark] + f"<li>{other}</li>" + view.html[mark:]
    assert named != view.html
    assert any("lacks the action" in problem for problem in glance_rows_without_their_action(guide, View("safety", "en", named)))
