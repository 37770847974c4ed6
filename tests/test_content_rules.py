"""The clinical content obeys its rules (references, both languages), and the built sites let a reader find
the facts the guide exists for, in either language."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from calcguide.content import LANGS, ContentErrors, cited_ids, load_guide
from calcguide.render import load_catalogue, plan_pages
from conftest import PROJECT, errors_of, replace_in


# --- the rules, on small broken copies of the real content ---------------------------------------------------


def test_treatment_without_any_reference_is_rejected(content_copy):
    path = content_copy / "treatments" / "colchicine.yml"
    replace_in(path, "references: [bienvenu-2014, valenzuela-2016-management, boulman-2005]", "references: []")
    errors = errors_of(content_copy)
    assert len(errors) == 1
    assert errors[0].startswith("treatments/colchicine.yml:")
    assert "references: the list must not be empty" in errors[0]


def test_citation_of_an_unknown_reference_inside_a_text_is_rejected(content_copy):
    path = content_copy / "treatments" / "diltiazem.yml"
    replace_in(path, "12 years in the first series [@palmieri-1995]", "12 years in the first series [@palmieri-1959]")
    errors = errors_of(content_copy)
    assert len(errors) == 1
    assert errors[0].startswith("treatments/diltiazem.yml:") and "regimen.en" in errors[0]
    assert "unknown reference id 'palmieri-1959'" in errors[0]


def test_text_missing_its_french_version_is_rejected(content_copy):
    replace_in(content_copy / "tiers.yml", "name: {en: Surgery, fr: Chirurgie}", "name: {en: Surgery}")
    errors = errors_of(content_copy)
    assert len(errors) == 1
    assert errors[0].startswith("tiers.yml:") and errors[0].endswith("name.fr: this field is required")


def test_text_missing_its_english_version_is_rejected(content_copy):
    replace_in(content_copy / "glossary.yml", "term: {en: calciphylaxis, fr: calciphylaxie}",
               "term: {fr: calciphylaxie}")
    errors = errors_of(content_copy)
    assert len(errors) == 1
    assert errors[0].startswith("glossary.yml:") and errors[0].endswith("term.en: this field is required")


# --- the real content ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def guide():
    return load_guide(PROJECT / "content")


def test_every_treatment_cites_a_reference_with_a_doi_or_pmid(guide):
    for treatment in guide.treatments:
        linked = [guide.reference(ref) for ref in treatment.references if guide.reference(ref).doi
                  or guide.reference(ref).pmid]
        assert linked, f"{treatment.id} has no reference with a DOI or PMID"


def test_guide_holds_at_least_25_references_and_18_treatments(guide):
    assert len(guide.references.references) >= 25
    assert len(guide.treatments) >= 18


def test_every_reference_is_cited_somewhere(guide):
    cited: set[str] = set()
    for path in (PROJECT / "content").rglob("*.yml"):
        cited.update(cited_ids(path.read_text(encoding="utf-8")))
    for treatment in guide.treatments:
        cited.update(treatment.references)
    unused = [ref.id for ref in guide.references.references if ref.id not in cited]
    assert not unused, f"references listed but never cited: {unused}"


def test_no_longer_recommended_treatment_is_the_one_the_systematic_review_advises_against(guide):
    assert [t.id for t in guide.treatments if t.status == "no-longer-recommended"] == ["warfarin"]


# --- the built sites -----------------------------------------------------------------------------------------


def page_urls(kind: str) -> dict[str, list[str]]:
    guide = load_guide(PROJECT / "content")
    pages = [page for page in plan_pages(guide, load_catalogue(PROJECT / "templates")) if page.kind == kind]
    return {lang: [page.url(lang) for page in pages] for lang in LANGS}


def read(built, lang: str, url: str) -> str:
    return (built.site_dir / lang / url).read_text(encoding="utf-8")


def article(page_html: str) -> str:
    """The page's own content: Material wraps it in <article>, away from navigation and search."""
    return page_html[page_html.index("<article"):page_html.index("</article>")]


def text_of(fragment: str) -> str:
    """Visible text with tags removed and every kind of space folded to one plain space."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", fragment))
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


def section(page_html: str, anchor: str) -> str:
    """From the heading with id=anchor to the next heading of the same level."""
    start = re.search(rf'<h(\d) id="{re.escape(anchor)}"', page_html)
    assert start, f"no heading #{anchor}"
    end = re.compile(rf"<h{start.group(1)}[ >]").search(page_html, start.end())
    return page_html[start.start(): end.start() if end else None]


@pytest.mark.parametrize("lang", LANGS)
def test_every_treatment_page_shows_tier_regimen_evidence_cautions_and_a_linked_reference(built, lang):
    urls = page_urls("treatment")[lang]
    assert len(urls) >= 18
    for url in urls:
        content = article(read(built, lang, url))
        assert "cg-badge--tier" in content, url
        assert 'id="regimen"' in content and text_of(section(content, "regimen")).strip(), url
        assert "cg-badge--evidence" in content, url
        assert 'id="cautions"' in content and "admonition warning" in section(content, "cautions"), url
        references = section(content, "references")
        assert re.search(r'href="https://(doi\.org/10\.|pubmed\.ncbi\.nlm\.nih\.gov/\d+)', references), url


@pytest.mark.parametrize("lang", LANGS)
def test_treatments_by_tier_table_links_every_treatment(built, lang):
    tier_table = article(read(built, lang, page_urls("treatments")[lang][0]))
    for url in page_urls("treatment")[lang]:
        assert f'href="{url}"' in tier_table, f"the tier table does not link {url}"


# --- a reader can answer the questions the guide exists for -------------------------------------------------

FIRST_LINE = {"en": ("First line", "calcium channel blocker"), "fr": ("En première ligne", "inhibiteur calcique")}
STS_ROUTES = {"en": ("Topical", "Intralesional", "Intravenous"), "fr": ("topique", "intralésionnel", "intraveineux")}
ONE_THIRD = {"en": r"one third of children.*10 to 70 %", "fr": r"un tiers des enfants.*10 à 70 %"}
CALCIPHYLAXIS = {"en": ("vessels", "necrosis"), "fr": ("vaisseaux", "nécrose")}


@pytest.mark.parametrize("lang", LANGS)
def test_reader_finds_first_line_treatment_on_the_home_page(built, lang):
    home = text_of(article(read(built, lang, page_urls("home")[lang][0])))
    opening, drug_class = FIRST_LINE[lang]
    sentence = home[home.index(opening):][:200]
    assert drug_class in sentence and "diltiazem" in sentence and "colchicine" in sentence


@pytest.mark.parametrize("lang", LANGS)
def test_reader_finds_the_tier_of_minocycline(built, lang):
    guide = load_guide(PROJECT / "content")
    tier_table = article(read(built, lang, page_urls("treatments")[lang][0]))
    localized_systemic = section(tier_table, "localized-systemic")
    assert "minocycline.html" in localized_systemic
    assert guide.tier("localized-systemic").name[lang] in text_of(localized_systemic)


@pytest.mark.parametrize("lang", LANGS)
def test_reader_finds_the_three_routes_of_sodium_thiosulfate(built, lang):
    tier_table = text_of(article(read(built, lang, page_urls("treatments")[lang][0])))
    thiosulfate_names = re.findall(r"[^.;|]{0,30}thiosulfate[^.;|]{0,30}", tier_table, flags=re.IGNORECASE)
    for route in STS_ROUTES[lang]:
        assert any(route.lower() in name.lower() for name in thiosulfate_names), route


@pytest.mark.parametrize("lang", LANGS)
def test_reader_finds_how_often_calcinosis_occurs_in_juvenile_dermatomyositis(built, lang):
    diseases = section(article(read(built, lang, page_urls("diseases")[lang][0])), "juvenile-dermatomyositis")
    assert re.search(ONE_THIRD[lang], text_of(diseases), flags=re.IGNORECASE)


@pytest.mark.parametrize("lang", LANGS)
def test_reader_finds_what_calciphylaxis_is(built, lang):
    classification = section(article(read(built, lang, page_urls("classification")[lang][0])), "calciphylaxis")
    text = text_of(classification)
    assert all(word in text for word in CALCIPHYLAXIS[lang])
