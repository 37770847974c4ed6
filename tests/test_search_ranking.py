"""Search ranking without a browser (the fast tier): the query sets of tests/search_queries.yml run against each
language's built search by tests/search_engine.js (the worker a page starts, with Material's worker and the
index it loads, in Node), with a target per category; the same queries are typed into the real pages, served and
from file://, by test_search_quality.py."""
from __future__ import annotations

import pytest

from calcguide.content import LANGS, load_guide
from calcguide.render import load_catalogue
from calcguide.search import abbreviations, read_index
from conftest import PROJECT
from engine import search_all
from search_targets import (HIT_AT_5, POINT_OF_CARE, POINT_OF_CARE_HIT_AT_1, QUERIES, TOP, hit_at_1_target,
                            query_set)

TREATMENT_FOLDER = load_catalogue(PROJECT / "templates").pages["treatment"].slug


def hits(results, asked) -> dict[str, list[tuple[bool, bool, str]]]:
    """Per category: (found first, found in the first five, query) of each query."""
    table: dict[str, list[tuple[bool, bool, str]]] = {}
    for (category, query, expected), groups in zip(asked, results):
        pages = [group.page for group in groups]
        table.setdefault(category, []).append((pages[:1] != [] and pages[0] in expected,
                                               any(page in expected for page in pages[:TOP]), query))
    return table


def extra_queries(guide, catalogue, lang: str) -> list[str]:
    """The queries the tests below make from content/ and the interface strings, asked in the same run."""
    lupus = next(term for term in guide.glossary.terms if term.id == "sle")
    warfarin = guide.treatment("warfarin").name[lang].split()[-1]
    return [*(brand.name for treatment in guide.treatments for brand in treatment.brands),
            lupus.abbr["fr"], lupus.abbr["fr"].lower(), *safety_words(catalogue, lang),
            f"{warfarin} {catalogue.ui['safety_pregnancy'][lang]}"]


SAFETY_KEYS = ("safety_pregnancy", "safety_kidney", "safety_liver", "safety_breastfeeding", "safety_children",
               "safety_monitoring")


def safety_words(catalogue, lang: str) -> list[str]:
    return [catalogue.ui[key][lang] for key in SAFETY_KEYS]


@pytest.fixture(scope="module")
def results(built) -> dict[str, dict]:
    """Every query of the tests below, one run per language: {lang: {query: groups}}."""
    guide, catalogue = load_guide(built.content_dir), load_catalogue(PROJECT / "templates")
    found = {}
    for lang in LANGS:
        queries = list(dict.fromkeys([*(query for _, query, _ in query_set(lang)),
                                      *extra_queries(guide, catalogue, lang)]))
        found[lang] = dict(zip(queries, search_all(built.site_dir / lang, queries)))
    return found


@pytest.fixture(scope="module")
def answered(results) -> dict[str, dict[str, list[tuple[bool, bool, str]]]]:
    return {lang: hits([results[lang][query] for _, query, _ in query_set(lang)], query_set(lang)) for lang in LANGS}


def _rate(rows, column: int) -> float:
    return sum(row[column] for row in rows) / len(rows)


@pytest.mark.parametrize("lang", LANGS)
def test_every_query_finds_its_page_in_the_first_five_in_every_category(answered, lang):
    misses = {category: [query for _, in_five, query in rows if not in_five]
              for category, rows in answered[lang].items() if _rate(rows, 1) < HIT_AT_5}
    assert misses == {}


@pytest.mark.parametrize("lang", LANGS)
def test_each_category_finds_its_page_first_often_enough(answered, lang):
    short = {category: (round(_rate(rows, 0), 3), [query for first, _, query in rows if not first])
             for category, rows in answered[lang].items()
             if _rate(rows, 0) < hit_at_1_target(category)}
    assert short == {}


@pytest.mark.parametrize("lang", LANGS)
def test_point_of_care_questions_find_their_page_first_95_percent_of_the_time(answered, lang):
    rows = [row for category in POINT_OF_CARE for row in answered[lang][category]]
    assert _rate(rows, 0) >= POINT_OF_CARE_HIT_AT_1, [query for first, _, query in rows if not first]


@pytest.mark.parametrize("lang", LANGS)
def test_the_stemming_queries_need_the_languages_stemmer(built, lang):
    """The stemming queries are found through the stemmer alone: without it (the index's pipeline left without its
    stemmer, or French read with the English one) they are lost, so a search that lost its stemmer fails above."""
    asked = [(category, query, expected) for category, query, expected in query_set(lang) if category == "stemming"]
    mutations = [{"pipeline": ["stopWordFilter"]}] + ([{"lang": ["en"]}] if lang != "en" else [])
    for mutation in mutations:
        rows = hits(search_all(built.site_dir / lang, [query for _, query, _ in asked], mutation), asked)["stemming"]
        assert _rate(rows, 0) <= 0.5, (mutation, rows)


def test_the_two_edit_typos_are_two_edits_away_and_not_one():
    for lang in LANGS:
        for query in QUERIES[lang]["typo-two-edits"]:
            assert len(query) >= 9 and " " not in query, query


@pytest.mark.parametrize("lang", LANGS)
def test_each_brand_of_content_finds_its_treatment_first(built, results, lang):
    guide = load_guide(built.content_dir)
    asked = {brand.name: f"{TREATMENT_FOLDER[lang]}/{treatment.slug[lang]}.html"
             for treatment in guide.treatments for brand in treatment.brands}
    assert asked, "no brand in content/"
    misses = [(name, page, [group.page for group in results[lang][name][:3]]) for name, page in asked.items()
              if [group.page for group in results[lang][name][:1]] != [page]]
    assert misses == []


@pytest.mark.parametrize("lang", LANGS)
def test_a_glossary_abbreviation_is_matched_as_written_before_the_stop_words(built, results, lang):
    guide = load_guide(built.content_dir)
    written = abbreviations(guide, lang)
    assert {term.abbr[lang] for term in guide.glossary.terms if term.abbr} <= set(written)
    assert read_index(built.site_dir / lang)["calcguide"]["abbreviations"] == written
    lupus = next(term for term in guide.glossary.terms if term.id == "sle").abbr["fr"]
    diseases = load_catalogue(PROJECT / "templates").pages["diseases"].slug[lang] + ".html"
    as_written, lowercase = results[lang][lupus], results[lang][lupus.lower()]
    assert as_written and as_written[0].page == diseases  # "LES": lupus, although "les" is a French stop word
    if lang == "fr":
        assert all(group.page != diseases for group in lowercase[:1])  # "les", in lowercase, is the article


@pytest.mark.parametrize("lang", LANGS)
def test_a_safety_word_puts_safety_at_a_glance_first_and_a_drug_with_it_shows_its_safety_section(built, results,
                                                                                                 lang):
    catalogue = load_catalogue(PROJECT / "templates")
    glance = catalogue.pages["safety"].slug[lang] + ".html"
    words = safety_words(catalogue, lang)
    assert [results[lang][word][0].page for word in words] == [glance] * len(words)
    treatment = load_guide(built.content_dir).treatment("warfarin")
    drug = f"{TREATMENT_FOLDER[lang]}/{treatment.slug[lang]}.html"
    warfarin = treatment.name[lang].split()[-1]
    sections = {group.page: group.sections for group in results[lang][f"{warfarin} {words[0]}"][:2]}
    assert f"{drug}#safety" in sections[drug][:2]
