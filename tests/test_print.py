"""Printing: the algorithm page on one A4 sheet, every page printable without the site's chrome, the Print
button, and the PDF clinic handouts that the build writes to dist/."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from browser import visit
from calcguide.catalogue import date_in_words
from calcguide.content import LANGS
from calcguide.package import offline_bundles
from pdfs import A4_POINTS, printed_sizes

pytestmark = pytest.mark.browser

CITATION = re.compile(r"\s*\[@[^\]]+\]")
MARKUP = re.compile(r"[*_`]")


def page_path(catalogue, kind: str, lang: str) -> str:
    return catalogue.pages[kind].slug[lang] + ".html"


def print_to_pdf(browser, url: str, **context_options) -> PdfReader:
    with visit(browser, **context_options) as visited:
        visited.page.goto(url)
        visited.page.emulate_media(media="print")
        pdf = visited.page.pdf(format="A4", print_background=True)
        assert visited.outside_requests == []
    return PdfReader(io.BytesIO(pdf))


def words(text: str) -> str:
    """Text reduced to lowercase words separated by single spaces (PDF line breaks and hyphenation undone)."""
    text = text.replace("\u00ad", "").replace("’", "'")
    text = re.sub(r"-\s*\n\s*", "-", text)
    return " ".join(re.findall(r"[\w'’%-]+", text.lower()))


def pdf_text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def plain(text: str) -> str:
    return MARKUP.sub("", CITATION.sub("", text))


# --- the algorithm page -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_algorithm_page_prints_on_exactly_one_a4_page(built, browser, catalogue, lang):
    reader = print_to_pdf(browser, (built.site_dir / lang / page_path(catalogue, "algorithm", lang)).as_uri())
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(A4_POINTS[0], abs=1)
    assert float(box.height) == pytest.approx(A4_POINTS[1], abs=1)


@pytest.mark.parametrize("lang", LANGS)
def test_printed_algorithm_ends_with_title_version_review_date_source_and_disclaimer(
        built, browser, guide, catalogue, lang):
    path = page_path(catalogue, "algorithm", lang)
    text = words(pdf_text(print_to_pdf(browser, (built.site_dir / lang / path).as_uri())))
    source = guide.reference(guide.site.source_review)
    # Without a public address (the `built` fixture) the page says which version it is, never a made-up address.
    reviewed = date_in_words(catalogue, guide.algorithm.last_reviewed, lang)  # in words (issue 23)
    for expected in (guide.site.title[lang], guide.site.version, reviewed,
                     source.doi, guide.site.disclaimer[lang]):
        assert words(expected) in text, expected


@pytest.mark.parametrize("lang", LANGS)
def test_printed_algorithm_shows_no_navigation_header_search_or_footer(built, browser, catalogue, lang):
    with visit(browser) as visited:
        visited.page.goto((built.site_dir / lang / page_path(catalogue, "algorithm", lang)).as_uri())
        visited.page.emulate_media(media="print")
        for chrome in (".md-header", ".md-tabs", ".md-sidebar--primary", ".md-sidebar--secondary", ".md-search",
                       ".md-footer", ".cg-print-button"):
            assert not visited.page.locator(chrome).first.is_visible(), chrome
        assert visited.page.locator(".cg-flow").is_visible()


@pytest.mark.parametrize("lang", LANGS)
def test_every_treatment_in_the_chart_links_to_its_page(built, guide, catalogue, lang):
    html = (built.site_dir / lang / page_path(catalogue, "algorithm", lang)).read_text(encoding="utf-8")
    chart = html[html.index('class="cg-flow"'):]
    folder = catalogue.pages["treatment"].slug[lang]
    for node in guide.algorithm.nodes:
        for treatment_id in node.treatments:
            assert f'href="{folder}/{treatment_id}.html"' in chart, treatment_id
            assert (built.site_dir / lang / folder / f"{treatment_id}.html").is_file()


@pytest.mark.parametrize("lang", LANGS)
def test_chart_reads_as_ordered_steps_with_each_answer_written_out(built, browser, guide, catalogue, lang):
    """A screen reader gets the steps as an ordered list, and the branches as text, not only as drawn arrows."""
    with visit(browser) as visited:
        visited.page.goto((built.site_dir / lang / page_path(catalogue, "algorithm", lang)).as_uri())
        steps = visited.page.locator(".cg-flow > ol > li")
        assert steps.count() == len(guide.algorithm.rows())
        for edge in guide.algorithm.edges:
            source = visited.page.locator(f"#step-{edge.source} .cg-flow__next")
            assert source.locator(f'a[href="#step-{edge.target}"]').count() == 1
            if edge.label:
                assert edge.label[lang] in source.inner_text()
        assert visited.page.locator(".cg-flow__arrow:not([aria-hidden='true'])").count() == 0


def test_print_button_appears_with_its_script_and_opens_the_print_dialog(built, browser, catalogue):
    with visit(browser) as visited:
        visited.page.add_init_script("window.print = () => { window.printRequested = true; };")
        visited.page.goto((built.site_dir / "en" / page_path(catalogue, "algorithm", "en")).as_uri())
        button = visited.page.locator(".cg-print-button")
        assert button.is_visible()
        button.click()
        assert visited.page.evaluate("window.printRequested") is True
        assert visited.console_errors == []


def test_long_page_prints_without_a_blank_last_page(built, browser, catalogue):
    """Material's html{height:100%} makes Chromium add an empty page at the end unless print.css resets it."""
    reader = print_to_pdf(browser, (built.site_dir / "en" / page_path(catalogue, "treatments", "en")).as_uri())
    assert len(reader.pages) > 1
    assert (reader.pages[-1].extract_text() or "").strip()


# --- the handouts ------------------------------------------------------------------------------------------------


def handout(built, lang: str) -> PdfReader:
    return PdfReader(built.dist_dir / f"handout-{lang}.pdf")


SMALLEST_PRINTED_POINTS = 7.95  # 8 pt, less the rounding of Chromium's text matrices


@pytest.mark.parametrize("lang", LANGS)
def test_handout_is_one_to_three_a4_pages(built, lang):
    reader = handout(built, lang)
    assert 1 <= len(reader.pages) <= 3
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(A4_POINTS[0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4_POINTS[1], abs=1)


@pytest.mark.parametrize("lang", LANGS)
def test_handout_text_is_never_smaller_than_8_points(built, lang):
    sizes = printed_sizes(handout(built, lang))
    assert sizes and min(sizes) >= SMALLEST_PRINTED_POINTS, {size: text for size, text in sizes.items() if size < 8}


@pytest.mark.parametrize("lang", LANGS)
def test_every_handout_page_says_its_number_and_after_the_first_its_guide_version_and_date(built, guide, lang):
    reader = handout(built, lang)
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert re.search(rf"(?<!\d){number}\s*/\s*{total}(?!\d)", text), text[-200:]
        if number > 1:
            assert guide.site.version in text and guide.last_reviewed.isoformat() in text


@pytest.mark.parametrize("lang", LANGS)
def test_handout_holds_first_line_surgery_sodium_thiosulfate_and_the_review_doi(built, guide, lang):
    text = words(pdf_text(handout(built, lang)))
    expected = [treatment.name[lang] for treatment in guide.treatments_in_tier("first-line")]
    expected.append(guide.tier("surgery").name[lang])
    expected += [treatment.name[lang] for treatment in guide.treatments if "thiosulfate" in treatment.id]
    expected.append(guide.reference(guide.site.source_review).doi)
    assert any("thiosulfate" in name.lower() for name in expected)
    for phrase in expected:
        assert words(phrase) in text, phrase


@pytest.mark.parametrize("lang", LANGS)
def test_handout_text_is_selectable_and_every_font_embedded(built, lang):
    reader = handout(built, lang)
    assert len(pdf_text(reader).split()) > 300
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            fonts.append(described["/FontDescriptor"].get_object())
    assert fonts
    for descriptor in fonts:
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), descriptor.get("/FontName")


def english_sentences(guide, catalogue) -> set[str]:
    """Every English text the French handout could show by mistake: interface strings and the content it prints."""
    texts = [text for text in catalogue.ui.values()]
    texts += [catalogue.placements["later-evidence"], guide.site.title, guide.site.disclaimer, guide.algorithm.title]
    for node in guide.algorithm.nodes:
        texts += [node.label, *([node.detail] if node.detail else [])]
    texts += [edge.label for edge in guide.algorithm.edges if edge.label]
    texts += [tier.name for tier in guide.tiers.tiers] + [level.name for level in guide.evidence.levels]
    for treatment in guide.treatments:
        texts += [treatment.name, treatment.regimen, treatment.cautions]
    sentences = set()
    for text in texts:
        if text.en == text.fr:
            continue  # the same in both languages (a drug name, "Version"): not English
        for sentence in re.split(r"(?<=[.;:!?])\s+", plain(text.en)):
            sentence = words(sentence)
            if len(sentence.split()) >= 2 and sentence not in words(plain(text.fr)):
                sentences.add(sentence)
    return sentences


def test_french_handout_contains_no_english_sentence(built, guide, catalogue):
    text = words(pdf_text(handout(built, "fr")))
    # The key references, last, keep their original titles, which are partly in English, as any bibliography does.
    text = text[:text.index(words(catalogue.ui["key_references"]["fr"]))]
    sentences = english_sentences(guide, catalogue)
    assert len(sentences) > 50
    found = sorted(sentence for sentence in sentences if re.search(rf"(?<![\w']){re.escape(sentence)}(?![\w'])", text))
    assert found == []


def test_handouts_travel_in_the_offline_bundle(built):
    with zipfile.ZipFile(offline_bundles(built.dist_dir)[0]) as archive:
        names = {Path(name).name for name in archive.namelist()}
    assert {f"handout-{lang}.pdf" for lang in LANGS} <= names
