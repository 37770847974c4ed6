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
            slug = guide.treatment(treatment_id).slug[lang]
            assert f'href="{folder}/{slug}.html"' in chart, treatment_id
            assert (built.site_dir / lang / folder / f"{slug}.html").is_file()


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
def test_every_handout_page_says_its_number_and_after_the_first_its_guide_version_and_date(built, guide, catalogue,
                                                                                          lang):
    reader = handout(built, lang)
    reviewed = " ".join(date_in_words(catalogue, guide.last_reviewed, lang).split())
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert re.search(rf"(?<!\d){number}\s*/\s*{total}(?!\d)", text), text[-200:]
        if number > 1:
            assert guide.site.version in text and reviewed in " ".join(text.split()), text[:200]


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


# --- the chart on paper: arrows clear of their answers, text at 9 pt, frames in black and white ----------------


MM = 96 / 25.4  # CSS pixels per millimetre
# Where each printed chart is laid out: the A4 width less the page's side margins (print.css, handout.css).
SITE_PRINT_WIDTH = round((210 - 2 * 13) * MM)
HANDOUT_PRINT_WIDTH = round((210 - 2 * 11) * MM)

# Every answer's box, and the boxes of what is drawn near it: its arrow's line (the element's left border), its
# arrowhead (the ::after triangle, from its computed position and borders), every box of the chart and the chart.
CHART_GEOMETRY = """() => {
  const rect = r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom});
  const chart = document.querySelector('.cg-flow').getBoundingClientRect();
  const nodes = Array.from(document.querySelectorAll('.cg-flow__node')).map(n => rect(n.getBoundingClientRect()));
  return Array.from(document.querySelectorAll('.cg-flow__answer')).map(answer => {
    const arrow = answer.parentElement, box = arrow.getBoundingClientRect(), style = getComputedStyle(arrow);
    const head = getComputedStyle(arrow, '::after');
    const paddingLeft = box.left + parseFloat(style.borderLeftWidth);
    const headLeft = paddingLeft + parseFloat(head.left);
    const headBottom = box.bottom - parseFloat(style.borderBottomWidth) - parseFloat(head.bottom);
    return {
      text: answer.textContent, answer: rect(answer.getBoundingClientRect()),
      line: {left: box.left, right: paddingLeft, top: box.top, bottom: box.bottom},
      head: {left: headLeft, right: headLeft + parseFloat(head.borderLeftWidth) + parseFloat(head.borderRightWidth),
             top: headBottom - parseFloat(head.borderTopWidth), bottom: headBottom},
      chart: rect(chart), nodes,
    };
  });
}"""


def overlap(a: dict, b: dict) -> bool:
    """Whether two boxes touch or overlap (a shared edge counts: touching is what the reader sees)."""
    return a["left"] <= b["right"] and b["left"] <= a["right"] and a["top"] <= b["bottom"] and b["top"] <= a["bottom"]


def assert_answers_clear_of_arrows(page) -> None:
    answers = page.evaluate(CHART_GEOMETRY)
    assert len(answers) >= 5
    for drawn in answers:
        answer = drawn["answer"]
        assert answer["right"] > answer["left"] and answer["bottom"] > answer["top"], drawn["text"]
        assert not overlap(answer, drawn["line"]), (drawn["text"], "touches its arrow's line")
        assert not overlap(answer, drawn["head"]), (drawn["text"], "touches its arrowhead")
        assert drawn["chart"]["left"] <= answer["left"] and answer["right"] <= drawn["chart"]["right"], drawn["text"]
        touched = [node for node in drawn["nodes"] if overlap(answer, node)]
        assert touched == [], (drawn["text"], "touches a box of the chart")


@pytest.mark.parametrize("lang", LANGS)
def test_printed_algorithm_page_draws_no_arrow_over_an_answer(built, browser, catalogue, lang):
    with visit(browser, viewport={"width": SITE_PRINT_WIDTH, "height": 1100}) as visited:
        visited.page.goto((built.site_dir / lang / page_path(catalogue, "algorithm", lang)).as_uri())
        visited.page.emulate_media(media="print")
        assert_answers_clear_of_arrows(visited.page)


@pytest.mark.parametrize("width", [1280, 760])
def test_on_screen_the_chart_draws_no_arrow_over_an_answer(built, browser, catalogue, width):
    for lang in LANGS:
        with visit(browser, viewport={"width": width, "height": 900}) as visited:
            visited.page.goto((built.site_dir / lang / page_path(catalogue, "algorithm", lang)).as_uri())
            assert_answers_clear_of_arrows(visited.page)


def handout_page(guide, catalogue, lang: str, folder: Path) -> str:
    """The handout page that the build prints, as a file (it loads nothing else)."""
    from calcguide.handout import HandoutRenderer
    from conftest import PROJECT

    path = folder / f"handout-{lang}.html"
    path.write_text(HandoutRenderer(guide, catalogue, PROJECT / "templates").html(lang, PROJECT), encoding="utf-8")
    return path.as_uri()


@pytest.mark.parametrize("lang", LANGS)
def test_handout_chart_draws_no_arrow_over_an_answer_and_frames_its_status_badges(
        browser, guide, catalogue, lang, tmp_path):
    with visit(browser, viewport={"width": HANDOUT_PRINT_WIDTH, "height": 1100}) as visited:
        visited.page.goto(handout_page(guide, catalogue, lang, tmp_path))
        visited.page.emulate_media(media="print")
        assert_answers_clear_of_arrows(visited.page)
        assert_status_badges_framed_in_black(visited.page)


# A status badge on paper: a border of at least 1 px in a dark grey or black, whatever the background.
BADGE_FRAMES = """() => Array.from(document.querySelectorAll('.cg-badge--status')).map(badge => {
  const style = getComputedStyle(badge);
  return {text: badge.textContent, width: parseFloat(style.borderTopWidth), style: style.borderTopStyle,
          sides: ['Top', 'Right', 'Bottom', 'Left'].map(side => style['border' + side + 'Style']),
          color: style.borderTopColor.match(/[\\d.]+/g).slice(0, 3).map(Number)};
})"""


def assert_status_badges_framed_in_black(page) -> None:
    badges = page.evaluate(BADGE_FRAMES)
    assert badges
    for badge in badges:
        assert badge["width"] >= 1 and "none" not in badge["sides"] and "hidden" not in badge["sides"], badge
        assert max(badge["color"]) <= 0x40, badge  # black on paper, not a colour that greys out


@pytest.mark.parametrize("lang", LANGS)
def test_printed_treatment_page_frames_its_status_badges_in_black(built, browser, guide, catalogue, lang):
    folder = catalogue.pages["treatment"].slug[lang]
    with visit(browser) as visited:
        for treatment in ("warfarin", "diltiazem", "rituximab"):
            slug = guide.treatment(treatment).slug[lang]
            visited.page.goto((built.site_dir / lang / folder / f"{slug}.html").as_uri())
            visited.page.emulate_media(media="print")
            assert_status_badges_framed_in_black(visited.page)


def chart_sizes(reader: PdfReader, first: str, last: str) -> dict[float, str]:
    """The printed size of every text of the first page's chart: the texts drawn from the line of the run that
    starts with `first` (its first box) down to the line of the one that starts with `last` (its legend)."""
    runs: list[tuple[float, float, str]] = []

    def note(text, cm, tm, font, size):  # noqa: ANN001 - pypdf's visitor signature
        if text.strip():
            height = tm[5] * cm[3] + cm[5]  # from the bottom of the page, in points
            runs.append((height, round(size * abs(tm[3]) * abs(cm[3]), 2), text.strip().replace("’", "'")))
    reader.pages[0].extract_text(visitor_text=note)
    top = max(height for height, _, text in runs if text.startswith(first))
    bottom = min(height for height, _, text in runs if text.startswith(last))
    sizes: dict[float, str] = {}
    for height, size, text in runs:
        if bottom - 1 <= height <= top + 1:
            sizes.setdefault(size, text[:40])
    assert len([run for run in runs if bottom - 1 <= run[0] <= top + 1]) > 100  # the whole chart, not a line
    return sizes


NINE_POINTS = 8.95  # 9 pt, less the rounding of Chromium's text matrices


@pytest.mark.parametrize("lang", LANGS)
def test_chart_text_is_at_least_9_points_on_the_handout_and_the_printed_page(built, browser, guide, catalogue, lang):
    legend = catalogue.ui["flow_legend_status"][lang].split()[0]
    first = guide.algorithm.nodes[0].label[lang]
    printed = {"handout": handout(built, lang),
               "page": print_to_pdf(browser, (built.site_dir / lang / page_path(catalogue, "algorithm", lang)).as_uri())}
    for name, reader in printed.items():
        sizes = chart_sizes(reader, first, legend)
        assert len(sizes) >= 2 and min(sizes) >= NINE_POINTS, (name, sizes)


@pytest.mark.parametrize("lang", LANGS)
def test_every_see_on_paper_names_its_page_and_section(built, browser, guide, catalogue, lang):
    text = words(pdf_text(handout(built, lang)))
    from calcguide.render import Renderer
    from conftest import PROJECT

    renderer = Renderer(guide, catalogue, PROJECT / "templates")
    targets = [target for node in guide.algorithm.nodes for target in node.pages]
    assert any(target.section for target in targets)
    for target in targets:
        if target.section:  # "(section of the page “Assessing response”)": the page's name in the interface strings
            page_title = words(catalogue.pages[target.page].title[lang])
            assert f"{words(catalogue.ui['paper_of_page'][lang])} {page_title}" in text, target
        else:  # "Juvenile dermatomyositis (page of the guide)": the title the page shows (a chapter may name itself)
            page_title = words(renderer._page(target.page).titles[lang])
            assert f"{page_title} {words(catalogue.ui['paper_page'][lang])}" in text, target
