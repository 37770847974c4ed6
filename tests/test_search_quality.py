"""Search quality: what clinicians type (tests/search_queries.yml) finds the right page within the first five
results, in each language, on the site served over loopback and opened from file://; plus the pieces of
calcguide/search.py that make it so."""
from __future__ import annotations

import json
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from calcguide.content import LANGS, load_guide
from calcguide.render import load_catalogue
from calcguide.search import WordSplitter, fold, synonym_rings
from conftest import PROJECT

QUERIES = yaml.safe_load((Path(__file__).with_name("search_queries.yml")).read_text(encoding="utf-8"))
MODES = ("served", "file")
RECALL_TARGET = 0.95
TOP = 5
TREATMENT_FOLDER = load_catalogue(PROJECT / "templates").pages["treatment"].slug
SEPARATOR = next(plugin["search"]["separator"] for plugin in
                 yaml.safe_load((PROJECT / "mkdocs.yml").read_text(encoding="utf-8"))["plugins"]
                 if isinstance(plugin, dict) and "search" in plugin)


@dataclass
class Answer:
    lang: str
    category: str
    query: str
    expected: str
    pages: list[str]             # the first results, as paths inside the language's site
    foreign: list[str]           # result links outside the language's site

    @property
    def found(self) -> bool:
        return self.expected in self.pages[:TOP]


@dataclass
class Run:
    answers: list[Answer]
    seconds: float
    outside_requests: list[str]
    console_errors: list[str]


# Types each query into Material's search box (Material reads it on keyup) and waits for its results, inside the
# page: one call for a whole language instead of several browser round trips per query.
SEARCH_EACH = """async ([queries, placeholder, none]) => {
    const box = document.querySelector("input.md-search__input")
    const meta = document.querySelector(".md-search-result__meta")
    const until = (condition, what) => new Promise((resolve, reject) => {
        const deadline = Date.now() + 10000
        const check = () => condition() ? resolve()
            : Date.now() > deadline ? reject(new Error(`no search results for ${what}`)) : setTimeout(check, 2)
        check()
    })
    const type = value => { box.value = value; box.dispatchEvent(new KeyboardEvent("keyup")) }
    const results = []
    for (const query of queries) {
        type("")
        await until(() => meta.textContent === placeholder, "an empty query")
        type(query)
        await until(() => meta.textContent !== placeholder
                          && (meta.textContent === none || document.querySelector(".md-search-result__item")), query)
        results.push([...document.querySelectorAll(".md-search-result__list > li.md-search-result__item")]
                     .map(item => item.querySelector("a").href))
    }
    return results
}"""


def _search_all(page, lang_root: str, lang: str, asked: list[tuple[str, str, str]]) -> list[Answer]:
    """Every (category, query, expected page) of one language, typed one after the other on one loaded page."""
    translations = page.evaluate("JSON.parse(document.getElementById('__config').textContent).translations")
    placeholder, none = translations["search.result.placeholder"], translations["search.result.none"]
    page.locator("input.md-search__input").click()
    page.wait_for_function("t => document.querySelector('.md-search-result__meta').textContent === t", arg=placeholder)
    found = page.evaluate(SEARCH_EACH, [[query for _, query, _ in asked], placeholder, none])
    answers = []
    for (category, query, expected), hrefs in zip(asked, found):
        pages = [href.removeprefix(lang_root).split("?")[0].split("#")[0] for href in hrefs
                 if href.startswith(lang_root)]
        foreign = [href for href in hrefs if not href.startswith(lang_root)]
        answers.append(Answer(lang, category, query, expected, pages, foreign))
    return answers


@pytest.fixture(scope="module")
def runs(built, browser, pytestconfig) -> dict[str, Run]:
    """Every query of both languages, once with the site served over loopback and once from file://."""
    from browser import serve_folder, visit

    results = {}
    for mode in MODES:
        with serve_folder(built.site_dir) if mode == "served" else nullcontext(None) as origin:
            base = f"{origin}/" if origin else built.site_dir.as_uri() + "/"
            start = time.perf_counter()
            answers, outside, errors = [], [], []
            for lang in LANGS:
                with visit(browser, allowed_origin=origin) as session:
                    session.page.goto(f"{base}{lang}/index.html")
                    answers += _search_all(session.page, f"{base}{lang}/", lang, query_set(lang))
                    outside += session.outside_requests
                    errors += session.console_errors
            results[mode] = Run(answers, time.perf_counter() - start, outside, errors)
    # The table is what this module measures: show it in the test report, with or without -s.
    with pytestconfig.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
        print("\n" + recall_table(results))
    return results


def query_set(lang: str) -> list[tuple[str, str, str]]:
    return [(category, query, expected) for category, queries in QUERIES[lang].items()
            for query, expected in queries.items()]


def treatment_queries(guide, lang: str) -> list[tuple[str, str, str]]:
    """Queries made from content/: each treatment's name and drug class, expecting its page."""
    return [(field, getattr(treatment, field)[lang], f"{TREATMENT_FOLDER[lang]}/{treatment.id}.html")
            for treatment in guide.treatments for field in ("name", "drug_class")]


@pytest.fixture(scope="module")
def treatment_answers(built, browser) -> list[Answer]:
    """The name and the drug class of every treatment of content/, typed into the site served over loopback."""
    from browser import serve_folder, visit

    guide = load_guide(built.content_dir)
    answers = []
    with serve_folder(built.site_dir) as origin:
        for lang in LANGS:
            with visit(browser, allowed_origin=origin) as session:
                session.page.goto(f"{origin}/{lang}/index.html")
                answers += _search_all(session.page, f"{origin}/{lang}/", lang, treatment_queries(guide, lang))
    return answers


def recall_table(runs: dict[str, Run]) -> str:
    """recall@5 per mode, language and category, with the misses, as a plain-text table."""
    categories = list(dict.fromkeys(category for lang in LANGS for category in QUERIES[lang]))
    lines = [f"search recall@{TOP} (queries: tests/search_queries.yml)",
             f"{'mode':8} {'lang':4} " + " ".join(f"{category:>12}" for category in categories) + f" {'all':>8}"]
    misses = []
    for mode, run in runs.items():
        for lang in LANGS:
            answers = [answer for answer in run.answers if answer.lang == lang]
            cells = []
            for category in categories:
                in_category = [answer for answer in answers if answer.category == category]
                found = sum(answer.found for answer in in_category)
                cells.append(f"{found}/{len(in_category)}".rjust(12))
            overall = sum(answer.found for answer in answers) / len(answers)
            lines.append(f"{mode:8} {lang:4} " + " ".join(cells) + f" {overall:8.3f}")
            misses += [f"  {mode} {lang} {answer.category}: {answer.query!r} → expected {answer.expected}, got "
                       f"{answer.pages[:TOP]}" for answer in answers if not answer.found]
        lines.append(f"{mode:8} {len(run.answers)} queries in {run.seconds:.1f} s")
    return "\n".join(lines + (["misses:"] + misses if misses else []))


def recall(run: Run, lang: str) -> float:
    answers = [answer for answer in run.answers if answer.lang == lang]
    return sum(answer.found for answer in answers) / len(answers)


# --- in Chromium, against the real build -------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("lang", LANGS)
def test_recall_at_5_of_the_query_set_is_at_least_95_percent(runs, mode, lang):
    assert recall(runs[mode], lang) >= RECALL_TARGET, recall_table(runs)


@pytest.mark.browser
@pytest.mark.parametrize("mode", MODES)
def test_no_query_returns_a_page_of_the_other_language(runs, mode):
    foreign = [(answer.lang, answer.query, answer.foreign) for answer in runs[mode].answers if answer.foreign]
    assert foreign == []


@pytest.mark.browser
@pytest.mark.parametrize("mode", MODES)
def test_searching_requests_nothing_outside_the_site_and_logs_no_error(runs, mode):
    assert runs[mode].outside_requests == [] and runs[mode].console_errors == []


@pytest.mark.browser
def test_each_treatment_name_finds_its_page_first(treatment_answers):
    misses = [(answer.lang, answer.query, answer.pages[:3]) for answer in treatment_answers
              if answer.category == "name" and answer.pages[:1] != [answer.expected]]
    assert misses == []


@pytest.mark.browser
def test_each_drug_class_finds_every_treatment_of_that_class_in_the_first_five(treatment_answers):
    misses = [(answer.lang, answer.query, answer.expected, answer.pages[:TOP]) for answer in treatment_answers
              if answer.category == "drug_class" and not answer.found]
    assert misses == []


def test_query_set_has_at_least_60_queries_per_language_in_every_category():
    categories = {"exact", "no-accent", "plural", "abbreviation", "synonym", "drug-class"}
    for lang in LANGS:
        assert set(QUERIES[lang]) == categories
        assert sum(len(queries) for queries in QUERIES[lang].values()) >= 60


def test_every_expected_page_is_in_its_language_index(built):
    for lang in LANGS:
        index = json.loads((built.site_dir / lang / "search" / "search_index.json").read_text(encoding="utf-8"))
        locations = {doc["location"] for doc in index["docs"]}
        missing = {page for queries in QUERIES[lang].values() for page in queries.values()} - locations
        assert missing == set(), f"{lang}: pages of tests/search_queries.yml that the site does not have"


# --- the index that calcguide/search.py writes --------------------------------------------------------------


def test_offline_copy_of_the_index_is_the_enriched_index(built):
    for lang in LANGS:
        search = built.site_dir / lang / "search"
        online = json.loads((search / "search_index.json").read_text(encoding="utf-8"))
        offline = (search / "search_index.js").read_text(encoding="utf-8")
        assert offline.startswith("var __index = ")
        assert json.loads(offline.removeprefix("var __index = ")) == online
        assert {"keywords", "related", "title_folded", "text_folded"} <= set(online["config"]["fields"])


def test_treatment_page_is_indexed_with_its_drug_class_and_the_glossary_abbreviation_of_that_class(built):
    guide = load_guide(built.content_dir)
    diltiazem = guide.treatment("diltiazem")
    for lang in LANGS:
        index = json.loads((built.site_dir / lang / "search" / "search_index.json").read_text(encoding="utf-8"))
        [doc] = [doc for doc in index["docs"] if doc["location"] == f"{TREATMENT_FOLDER[lang]}/diltiazem.html"]
        class_ring = next(term for term in guide.glossary.terms
                          if term.term[lang].lower() == diltiazem.drug_class[lang].lower())
        assert diltiazem.drug_class[lang] in doc["keywords"]
        assert class_ring.abbr[lang] in doc["keywords"].split()


def test_every_page_uses_the_patched_search_worker(built):
    for lang in LANGS:
        workers = list((built.site_dir / lang / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
        assert len(workers) == 1
        assert workers[0].read_text(encoding="utf-8").startswith("/* Calcinosis Guide")
        texts = [page.read_text(encoding="utf-8") for page in (built.site_dir / lang).rglob("*.html")]
        assert all(workers[0].name in text for text in texts if 'id="__config"' in text)


def test_fold_drops_accents_and_splits_ligatures():
    assert fold("Œdème thérapeutique, première") == "OEdeme therapeutique, premiere"


def test_an_abbreviation_is_mentioned_only_as_written_and_a_term_whatever_its_case_and_accents():
    splitter = WordSplitter(SEPARATOR)
    passage = splitter.passage("La sclérodermie systémique (ScS) et les ic")
    assert splitter.mentions(passage, "ScS")
    assert not splitter.mentions(passage, "IC")
    assert splitter.mentions(passage, "Sclerodermie systemique")
    assert not splitter.mentions(passage, "sclérodermie limitée")


def test_synonym_rings_are_the_glossary_terms_with_the_other_languages_abbreviation(built):
    guide = load_guide(built.content_dir)
    rings = {ring.words[0]: ring.words for ring in synonym_rings(guide, "fr")}
    for term in guide.glossary.terms:
        if term.abbr:
            ring = rings[term.abbr["fr"]]
            assert term.term["fr"] in ring and term.abbr["en"] in ring
            assert set(term.search_terms["fr"]) <= set(ring)
