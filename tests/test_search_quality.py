"""Search quality: what clinicians type (tests/search_queries.yml) finds the right page first and within the first
five results, per category and language, on the site served over loopback and the offline bundle opened from
file:// (the site itself is for serving: only the bundle's pages load the file:// shim) (the targets:
tests/search_targets.py); a page's first view loads no index, opening search loads it; a page found while a word
is typed key by key stays found; previews are one sentence; the arrow keys and Enter open a result. What the
search adapter writes (its worker, Material's left as installed) is checked in test_search_worker.py, the same
query sets without a browser in test_search_ranking.py."""
from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from calcguide.content import LANGS, load_guide
from calcguide.render import load_catalogue
from calcguide.search import INDEX, WordSplitter, read_index
from browser import serve_folder, visit
from conftest import PROJECT
from search_targets import (HIT_AT_5, POINT_OF_CARE, POINT_OF_CARE_HIT_AT_1, QUERIES, TOP, hit_at_1_target,
                            query_set)
from searching import RESULTS, result_links, search, type_query, watch_search

MODES = ("served", "file")
TREATMENT_FOLDER = load_catalogue(PROJECT / "templates").pages["treatment"].slug
SEPARATOR = next(plugin["search"]["separator"] for plugin in
                 yaml.safe_load((PROJECT / "mkdocs.yml").read_text(encoding="utf-8"))["plugins"]
                 if isinstance(plugin, dict) and "search" in plugin)
SPLIT = WordSplitter(SEPARATOR).split
PREVIEW_LIMIT = 200  # characters of a result's preview: a sentence, not a section


@dataclass
class Answer:
    lang: str
    category: str
    query: str
    expected: list[str]          # any of these pages is right
    pages: list[str]             # the first results, as paths inside the language's site
    foreign: list[str]           # result links outside the language's site

    @property
    def found(self) -> bool:
        return any(page in self.expected for page in self.pages[:TOP])

    @property
    def first(self) -> bool:
        return self.pages[:1] != [] and self.pages[0] in self.expected


@dataclass
class Run:
    answers: list[Answer]
    seconds: float
    outside_requests: list[str]
    console_errors: list[str]


def _search_all(page, lang_root: str, lang: str, asked: list[tuple[str, str, list[str]]]) -> list[Answer]:
    """Every (category, query, expected page) of one language, typed one after the other on one loaded page."""
    answers = []
    for category, query, expected in asked:
        hrefs = search(page, query, every_key=False)  # typed key by key in the tests below
        pages = [href.removeprefix(lang_root).split("?")[0].split("#")[0] for href in hrefs
                 if href.startswith(lang_root)]
        foreign = [href for href in hrefs if not href.startswith(lang_root)]
        answers.append(Answer(lang, category, query, expected, pages, foreign))
    return answers


@pytest.fixture(scope="module")
def runs(built, bundle, browser, pytestconfig) -> dict[str, Run]:
    """Every query of both languages, once with the site served over loopback and once from file://."""
    results = {}
    for mode in MODES:
        with serve_folder(built.site_dir) if mode == "served" else nullcontext(None) as origin:
            base = f"{origin}/" if origin else bundle.as_uri() + "/"
            start = time.perf_counter()
            answers, outside, errors = [], [], []
            for lang in LANGS:
                with visit(browser, allowed_origin=origin) as session:
                    watch_search(session.page)
                    session.page.goto(f"{base}{lang}/index.html")
                    answers += _search_all(session.page, f"{base}{lang}/", lang, query_set(lang))
                    outside += session.outside_requests
                    errors += session.console_errors
            results[mode] = Run(answers, time.perf_counter() - start, outside, errors)
    # The table is what this module measures: show it in the test report, with or without -s.
    with pytestconfig.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
        print("\n" + recall_table(results))
    return results


def treatment_queries(guide, lang: str) -> list[tuple[str, str, list[str]]]:
    """Queries made from content/: each treatment's name and drug class, expecting its page."""
    return [(field, getattr(treatment, field)[lang], [f"{TREATMENT_FOLDER[lang]}/{treatment.slug[lang]}.html"])
            for treatment in guide.treatments for field in ("name", "drug_class")]


@pytest.fixture(scope="module")
def treatment_answers(built, browser) -> list[Answer]:
    """The name and the drug class of every treatment of content/, typed into the site served over loopback."""
    guide = load_guide(built.content_dir)
    answers = []
    with serve_folder(built.site_dir) as origin:
        for lang in LANGS:
            with visit(browser, allowed_origin=origin) as session:
                watch_search(session.page)
                session.page.goto(f"{origin}/{lang}/index.html")
                answers += _search_all(session.page, f"{origin}/{lang}/", lang, treatment_queries(guide, lang))
    return answers


def recall_table(runs: dict[str, Run]) -> str:
    """hit@1 / hit@5 per mode, language and category, with the misses, as a plain-text table."""
    categories = list(dict.fromkeys(category for lang in LANGS for category in QUERIES[lang]))
    lines = [f"search hit@1 / hit@{TOP} (queries: tests/search_queries.yml)",
             f"{'mode':8} {'lang':4} " + " ".join(f"{category[:14]:>14}" for category in categories) +
             f" {'all @1':>7} {'@' + str(TOP):>6}"]
    misses = []
    for mode, run in runs.items():
        for lang in LANGS:
            answers = [answer for answer in run.answers if answer.lang == lang]
            cells = []
            for category in categories:
                in_category = [answer for answer in answers if answer.category == category]
                first = sum(answer.first for answer in in_category)
                found = sum(answer.found for answer in in_category)
                cells.append(f"{first}/{found}/{len(in_category)}".rjust(14))
            lines.append(f"{mode:8} {lang:4} " + " ".join(cells) +
                         f" {rate(answers, 'first'):7.3f} {rate(answers, 'found'):6.3f}")
            misses += [f"  {mode} {lang} {answer.category}: {answer.query!r} → expected {answer.expected}, got "
                       f"{answer.pages[:TOP]}" for answer in answers if not answer.first]
        lines.append(f"{mode:8} {len(run.answers)} queries in {run.seconds:.1f} s (cells: first / in {TOP} / asked)")
    return "\n".join(lines + (["not first:"] + misses if misses else []))


def rate(answers: list[Answer], what: str) -> float:
    return sum(getattr(answer, what) for answer in answers) / len(answers)


def in_category(run: Run, lang: str, category: str) -> list[Answer]:
    return [answer for answer in run.answers if answer.lang == lang and answer.category == category]


# --- in Chromium, against the real build -------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("lang", LANGS)
def test_every_query_finds_its_page_in_the_first_five_in_every_category(runs, mode, lang):
    short = [category for category in QUERIES[lang] if rate(in_category(runs[mode], lang, category), "found") < HIT_AT_5]
    assert short == [], recall_table(runs)


@pytest.mark.browser
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("lang", LANGS)
def test_each_category_finds_its_page_first_often_enough(runs, mode, lang):
    short = [category for category in QUERIES[lang]
             if rate(in_category(runs[mode], lang, category), "first") < hit_at_1_target(category)]
    assert short == [], recall_table(runs)


@pytest.mark.browser
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("lang", LANGS)
def test_point_of_care_questions_find_their_page_first_95_percent_of_the_time(runs, mode, lang):
    answers = [answer for category in POINT_OF_CARE for answer in in_category(runs[mode], lang, category)]
    assert rate(answers, "first") >= POINT_OF_CARE_HIT_AT_1, recall_table(runs)


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
              if answer.category == "name" and not answer.first]
    assert misses == []


@pytest.mark.browser
def test_each_drug_class_finds_every_treatment_of_that_class_in_the_first_five(treatment_answers):
    misses = [(answer.lang, answer.query, answer.expected, answer.pages[:TOP]) for answer in treatment_answers
              if answer.category == "drug_class" and not answer.found]
    assert misses == []


def test_query_set_has_at_least_100_queries_per_language_in_every_category():
    categories = {"exact", "no-accent", "plural", "abbreviation", "synonym", "drug-class", "typo", "partial", "brand",
                  "safety", "symptom", "typo-two-edits", "stemming"}
    for lang in LANGS:
        assert set(QUERIES[lang]) == categories
        assert sum(len(queries) for queries in QUERIES[lang].values()) >= 100
        assert all(len(QUERIES[lang][category]) >= 15 for category in ("typo", "partial", "brand", "safety"))
        assert all(len(QUERIES[lang][category]) >= 6 for category in ("symptom", "typo-two-edits", "stemming"))


def test_every_expected_page_is_in_its_language_index(built):
    for lang in LANGS:
        locations = {doc["location"] for doc in read_index(built.site_dir / lang)["docs"]}
        missing = {page for _, _, expected in query_set(lang) for page in expected} - locations
        assert missing == set(), f"{lang}: pages of tests/search_queries.yml that the site does not have"


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_a_page_once_found_stays_found_while_its_name_is_typed_key_by_key(built, browser, lang):
    """For the longest word of each treatment's name, typed key by key from its fourth letter (shorter words are
    matched whole, as abbreviations): from the key at which the treatment's page appears among the results
    shown, it stays there until the word is complete ("thio", "thiosulfa", "thiosulfate")."""
    guide = load_guide(built.content_dir)
    vanished, never = [], []
    with serve_folder(built.site_dir) as origin, visit(browser, allowed_origin=origin) as session:
        watch_search(session.page)
        session.page.goto(f"{origin}/{lang}/index.html")
        for treatment in guide.treatments:
            word = max(SPLIT(treatment.name[lang]), key=len)
            target = f"{origin}/{lang}/{TREATMENT_FOLDER[lang]}/{treatment.slug[lang]}.html"
            type_query(session.page, word[:3])
            seen_at = None
            for typed in range(4, len(word) + 1):
                type_query(session.page, word[typed - 1], clear=False)
                found = target in [href.split("?")[0] for href in result_links(session.page)]
                if found and seen_at is None:
                    seen_at = typed
                elif not found and seen_at is not None:
                    vanished.append((word[:seen_at], word[:typed], treatment.id))
                    break
            if seen_at is None:
                never.append((word, treatment.id))
    assert vanished == [] and never == [], (vanished, never)


@pytest.mark.browser
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("lang", LANGS)
def test_arrow_keys_then_enter_open_the_highlighted_result(built, bundle, browser, lang, mode):
    guide = load_guide(built.content_dir)
    treatment = guide.treatment("colchicine")
    with serve_folder(built.site_dir) if mode == "served" else nullcontext(None) as origin:
        base = f"{origin}/" if origin else bundle.as_uri() + "/"
        with visit(browser, allowed_origin=origin) as session:
            page = session.page
            watch_search(page)
            page.goto(f"{base}{lang}/index.html")
            type_query(page, treatment.name[lang])
            for key in ("ArrowDown", "ArrowDown", "ArrowUp"):
                page.keyboard.press(key)
            highlighted = page.evaluate("() => document.activeElement.href")
            assert highlighted == result_links(page)[0]
            assert highlighted.split("?")[0].endswith(f"/{lang}/{TREATMENT_FOLDER[lang]}/{treatment.slug[lang]}.html")
            page.keyboard.press("Enter")
            page.wait_for_url(highlighted)
    assert session.console_errors == [] and session.outside_requests == []


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_previews_show_the_sentence_that_matched_not_the_whole_section(built, browser, lang):
    guide = load_guide(built.content_dir)
    with serve_folder(built.site_dir) as origin, visit(browser, allowed_origin=origin) as session:
        page = session.page
        watch_search(page)
        page.goto(f"{origin}/{lang}/index.html")
        previews, marked = [], 0
        for treatment in guide.treatments:
            type_query(page, treatment.name[lang])
            teasers = page.eval_on_selector_all(
                f"{RESULTS} article > p:not(.md-search-result__terms)",
                "ps => ps.map(p => [p.textContent, p.querySelectorAll('mark').length])")
            previews += [text for text, _ in teasers]
            marked += sum(1 for _, marks in teasers if marks)
    assert previews and max(len(text) for text in previews) <= PREVIEW_LIMIT, max(previews, key=len)
    assert marked >= len(previews) // 2  # most previews show the words found


def _index_requests(requests: list[str]) -> list[str]:
    return [url for url in requests if url.split("?")[0].rsplit("/", 1)[-1].startswith("search_index")]


@pytest.mark.browser
@pytest.mark.parametrize("mode", MODES)
def test_a_first_view_loads_no_search_index_and_opening_search_loads_it(built, bundle, browser, mode):
    """On a server and from file://, a page's first view requests no index; the first time the reader opens search
    (the "/" key on a wide screen, the magnifier on a 360 px phone), the worker loads this language's one index
    file, and the search answers."""
    guide = load_guide(built.content_dir)
    rituximab = guide.treatment("rituximab")
    brand = rituximab.brands[-1].name
    with serve_folder(built.site_dir) if mode == "served" else nullcontext(None) as origin:
        base = f"{origin}/" if origin else bundle.as_uri() + "/"
        for lang, viewport in zip(LANGS, ({"width": 1280, "height": 900}, {"width": 360, "height": 740})):
            with visit(browser, allowed_origin=origin, viewport=viewport) as session:
                page, requests = session.page, []
                page.context.on("request", lambda request: requests.append(request.url))
                watch_search(page)
                page.goto(f"{base}{lang}/{TREATMENT_FOLDER[lang]}/diltiazem.html")
                page.wait_for_load_state("networkidle")
                assert _index_requests(requests) == [], (mode, lang)
                if viewport["width"] < 600:
                    page.locator(".md-header label.md-header__button[for=__search]").click()
                hrefs = search(page, brand)
                assert [url.split("?")[0] for url in _index_requests(requests)] == [f"{base}{lang}/{INDEX.as_posix()}"]
                assert hrefs and hrefs[0].split("?")[0] == f"{base}{lang}/{TREATMENT_FOLDER[lang]}/rituximab.html"
            assert session.outside_requests == [] and session.console_errors == []
