"""The clinical chapters (evaluation.yml, focus.yml): the same page in both languages, linked to the
treatment pages they discuss, with their references checked like any other; trial registrations as references."""
from __future__ import annotations

import re

import pytest

from calcguide.content import LANGS, load_guide
from calcguide.render import load_catalogue, render
from conftest import PROJECT, errors_of, replace_in

HEADING_ANCHOR = re.compile(r"^## .* \{ #([a-z0-9-]+) \}$", re.MULTILINE)
CITATION_NUMBER = re.compile(r'href="[^"]*references\.html#[^"]*">(\d+)</a>')
CHAPTERS = ("evaluation", "focus")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs")
    guide = load_guide(PROJECT / "content")
    return guide, out, render(guide, load_catalogue(PROJECT / "templates"), PROJECT, out)


def _chapter_markdown(rendered, kind: str, lang: str) -> str:
    _, out, languages = rendered
    page = next(page for page in languages[lang].pages if page.kind == kind)
    return languages[lang].page_markdown(page)


@pytest.mark.parametrize("kind", CHAPTERS)
def test_chapter_has_the_same_sections_in_both_languages(rendered, kind):
    anchors = {lang: HEADING_ANCHOR.findall(_chapter_markdown(rendered, kind, lang)) for lang in LANGS}
    assert anchors["en"] and anchors["en"] == anchors["fr"]


@pytest.mark.parametrize("kind", CHAPTERS)
def test_chapter_cites_the_same_references_in_the_same_order_in_both_languages(rendered, kind):
    cited = {lang: CITATION_NUMBER.findall(_chapter_markdown(rendered, kind, lang)) for lang in LANGS}
    assert cited["en"] and cited["en"] == cited["fr"]


def test_chapter_section_links_every_treatment_page_it_discusses(rendered):
    guide = rendered[0]
    for lang in LANGS:
        markdown = _chapter_markdown(rendered, "focus", lang)
        for section in guide.focus.sections:
            for treatment_id in section.treatments:
                assert f"/{guide.treatment(treatment_id).slug[lang]}.md)" in markdown


def test_evaluation_page_links_to_the_response_assessment_page(rendered):
    _, _, languages = rendered
    for lang in LANGS:
        response = next(page for page in languages[lang].pages if page.kind == "response").paths[lang]
        assert f"]({response})" in _chapter_markdown(rendered, "evaluation", lang)


def test_chapter_section_naming_an_unknown_treatment_is_rejected_with_its_place(content_copy):
    replace_in(content_copy / "focus.yml", "treatments: [anti-tnf]", "treatments: [anti-tnfs]")
    errors = errors_of(content_copy)
    assert any(error.startswith("focus.yml:") and "anti-tnfs" in error and "sections.2.treatments.0"
               in error for error in errors), errors


def test_trial_registration_without_its_sponsor_is_rejected(content_copy):
    replace_in(content_copy / "references.yml", "    holder: National Institute of Environmental Health Sciences (NIEHS)\n", "")
    errors = errors_of(content_copy)
    assert any(error.startswith("references.yml:") and "kind registration" in error and "holder" in error
               for error in errors), errors


def test_trial_registration_and_pubmed_central_id_link_to_their_records(rendered):
    _, out, languages = rendered
    for lang in LANGS:
        page = next(page for page in languages[lang].pages if page.kind == "references").paths[lang]
        references = (out / lang / page).read_text(encoding="utf-8")
        assert "(https://clinicaltrials.gov/study/NCT03267277)" in references
        assert "(https://pmc.ncbi.nlm.nih.gov/articles/PMC10583374/)" in references
