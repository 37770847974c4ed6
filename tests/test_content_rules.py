"""The clinical content obeys its rules (references, both languages), and the built sites let a reader find
the facts the guide exists for, in either language."""
from __future__ import annotations

import html
import re

import pytest

from calcguide.content import LANGS, cited_ids, load_guide
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


def test_every_treatment_cites_a_reference_with_a_doi_or_pmid(guide):
    for treatment in guide.treatments:
        linked = [guide.reference(ref) for ref in treatment.references if guide.reference(ref).doi
                  or guide.reference(ref).pmid]
        assert linked, f"{treatment.id} has no reference with a DOI or PMID"


def test_every_reference_is_cited_somewhere(guide):
    cited: set[str] = set()
    for path in (PROJECT / "content").rglob("*.yml"):
        cited.update(cited_ids(path.read_text(encoding="utf-8")))
    for treatment in guide.treatments:
        cited.update(treatment.references)
        cited.update(brand.source for brand in treatment.brands)  # shown with its citation on the page
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
        assert "cg-badge--status" in content, url
        assert re.search(r'<td><a href="\.\./(treatments|traitements)\.html#[a-z-]+">', content), url  # its tier
        assert 'id="regimen"' in content and text_of(section(content, "regimen")).strip(), url
        assert "cg-badge--evidence" in content, url
        # Adverse effects and safety at body-text size, not in a small admonition (issue 11).
        assert 'id="cautions"' in content and text_of(section(content, "cautions")).strip(), url
        assert "admonition" not in section(content, "cautions"), url
        assert '<dt id="safety-' in section(content, "safety"), url
        references = section(content, "references")
        assert re.search(r'href="https://(doi\.org/10\.|pubmed\.ncbi\.nlm\.nih\.gov/\d+)', references), url


@pytest.mark.parametrize("lang", LANGS)
def test_treatments_by_tier_table_links_every_treatment(built, lang):
    tier_table = article(read(built, lang, page_urls("treatments")[lang][0]))
    for url in page_urls("treatment")[lang]:
        assert f'href="{url}"' in tier_table, f"the tier table does not link {url}"


# --- a reader finds each piece of content where the guide puts it (checked from content/, never pinned) -------


@pytest.mark.parametrize("lang", LANGS)
def test_home_page_lists_each_tier_with_links_to_all_its_treatments(built, lang, guide):
    home = article(read(built, lang, page_urls("home")[lang][0]))
    rows = {row for row in re.findall(r"<tr>.*?</tr>", home, flags=re.DOTALL)}
    for tier in guide.tiers.tiers:
        row = next((row for row in rows if f"#{tier.id}" in row), None)
        assert row is not None, f"no row for the tier {tier.id} on the home page"
        for treatment in guide.treatments_in_tier(tier.id):
            assert f"/{treatment.slug[lang]}.html" in row, f"{treatment.id} missing from the {tier.id} row"


@pytest.mark.parametrize("lang", LANGS)
def test_each_treatment_sits_in_the_section_of_its_first_tier_on_the_tier_page(built, lang, guide):
    tier_table = article(read(built, lang, page_urls("treatments")[lang][0]))
    for treatment in guide.treatments:
        tier = guide.tier(treatment.tiers[0])
        tier_section = section(tier_table, tier.id)
        assert f"/{treatment.slug[lang]}.html" in tier_section, f"{treatment.id} not under {tier.id}"
        assert tier.name[lang] in text_of(tier_section)


@pytest.mark.parametrize("lang", LANGS)
def test_a_treatment_no_longer_recommended_is_flagged_on_its_page_and_on_the_tier_page(built, lang, guide):
    label = load_catalogue(PROJECT / "templates").statuses["no-longer-recommended"][lang]
    tier_table = article(read(built, lang, page_urls("treatments")[lang][0]))
    for treatment in (treatment for treatment in guide.treatments if treatment.status == "no-longer-recommended"):
        page = article(read(built, lang, next(url for url in page_urls("treatment")[lang]
                                              if url.endswith(f"/{treatment.slug[lang]}.html"))))
        assert "admonition danger" in page, treatment.id
        row = next(row for row in re.findall(r"<tr>.*?</tr>", tier_table, flags=re.DOTALL)
                   if f"/{treatment.slug[lang]}.html" in row)
        assert label.split()[0].replace("'", "’") in text_of(row).replace("'", "’"), treatment.id


@pytest.mark.parametrize("lang", LANGS)
def test_every_disease_and_every_kind_of_calcinosis_has_a_section_of_its_own(built, lang, guide):
    def squeezed(text: str) -> str:  # tags inside a heading (an abbreviation) leave spaces in the text
        return re.sub(r"\s+", "", text).replace("'", "’")  # French pages set the typographic apostrophe

    diseases = article(read(built, lang, page_urls("diseases")[lang][0]))
    for disease in guide.diseases.diseases:
        assert squeezed(disease.name[lang]) in squeezed(text_of(section(diseases, disease.id)))
    classification = article(read(built, lang, page_urls("classification")[lang][0]))
    for kind in guide.classification.types:
        assert squeezed(kind.name[lang]) in squeezed(text_of(section(classification, kind.id)))
