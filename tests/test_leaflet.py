"""The patient leaflet (issue 28): the same parts and sources in both languages, every statement sourced and the
sources listed at the end, no placeholder, no medical word left unexplained, readable by a formula made for it,
found from the home page, the handouts, the language chooser and search; on paper at most two A4 pages with
nothing under 12 pt, in black and white; on a phone without sideways scrolling; with no axe violation."""
from __future__ import annotations

import io
import re
import subprocess
import zipfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from pypdf import PdfReader

from browser import visit, without_transitions
from calcguide.content import LANGS, cited_ids, load_guide
from calcguide.content.editorial import placeholder_in
from calcguide.content.leaflet import leaflet_texts
from calcguide.deployment import PublishSettings
from calcguide.handout import LEAFLET, HandoutRenderer
from calcguide.package import offline_bundles
from calcguide.search import read_index
from conftest import PROJECT, errors_of, line_of, markdown_with_an_editor, replace_in
from pdfs import A4_POINTS, printed_sizes
from phone import phone_view
from readability import leaflet_blocks, leaflet_prose, readability
from searching import search, watch_search
from test_every_page import AXE, RUN_AXE

SMALLEST_PRINTED_POINTS = 11.95  # 12 pt, less the rounding of Chromium's text matrices
ADDRESS = "https://calcinosis-guide.test/"


def leaflet_path(catalogue, lang: str) -> str:
    return f"{catalogue.pages['leaflet'].slug[lang]}.html"


def leaflet_html(built, catalogue, lang: str) -> str:
    return (built.site_dir / lang / leaflet_path(catalogue, lang)).read_text(encoding="utf-8")


class _Outline(HTMLParser):
    """Inside the leaflet: its headings and list items in order, and the links of its sources."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.outline: list[str] = []
        self.sources: list[str] = []
        self.citations = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("div", "section"):
            self.open.append(attributes.get("class") or "")
        if not any("cg-leaflet" in classes.split() for classes in self.open):
            return
        if tag in ("h2", "h3", "li"):
            self.outline.append(tag)
        if "cite" in (attributes.get("class") or "").split():
            self.citations += 1
        href = attributes.get("href") or ""
        if tag == "a" and not href.startswith("#") and any("cg-leaflet__sources" in c.split() for c in self.open):
            self.sources.append(href)  # not the heading's own permalink

    def handle_endtag(self, tag: str) -> None:
        if tag in ("div", "section") and self.open:
            self.open.pop()


def outline(html: str) -> _Outline:
    reader = _Outline()
    reader.feed(html)
    return reader


# --- content: parity, sources, placeholders, plain words --------------------------------------------------------


def test_both_languages_have_the_same_parts_questions_and_sources(built, catalogue):
    english, french = (outline(leaflet_html(built, catalogue, lang)) for lang in LANGS)
    assert english.outline == french.outline
    assert english.outline.count("h2") >= 7  # what it is, why, treatment, medicines, infection, home, questions
    assert [href.split("#")[1] for href in english.sources] == [href.split("#")[1] for href in french.sources]


def test_both_languages_give_the_same_figures(built, catalogue):
    figures = {lang: Counter(re.findall(r"\d+", " ".join(leaflet_blocks(leaflet_html(built, catalogue, lang)))))
               for lang in LANGS}
    assert figures["en"] == figures["fr"]


def test_every_text_is_sourced_and_the_sources_are_listed_at_the_end_not_in_the_text(built, guide, catalogue):
    cited = list(dict.fromkeys(ref for text in leaflet_texts(guide) for ref in cited_ids(text.en)))
    assert len(cited) >= 10
    for part in guide.leaflet_parts():
        for text in (part.body, *(item.body for item in part.items)):
            assert list(cited_ids(text.en)) and list(cited_ids(text.fr)), text.en[:60]
    for lang in LANGS:
        page = outline(leaflet_html(built, catalogue, lang))
        assert page.citations == 0
        references = catalogue.pages["references"].slug[lang]
        assert page.sources == [f"{references}.html#{ref}" for ref in cited]
        assert "[@" not in " ".join(leaflet_blocks(leaflet_html(built, catalogue, lang)))


def test_a_patient_text_citing_an_unknown_reference_is_a_located_error(content_copy):
    replace_in(content_copy / "treatments" / "colchicine.yml", "it does not dissolve them\n    [@valenzuela-2016-management]",
               "it does not dissolve them\n    [@valenzuela-2016-managment]")
    errors = errors_of(content_copy)
    assert len(errors) == 1
    assert re.match(r"treatments/colchicine\.yml:\d+: patient\.en: unknown reference id 'valenzuela-2016-managment'",
                    errors[0]), errors


def test_a_first_line_treatment_without_its_patient_text_is_a_located_error(content_copy):
    path = content_copy / "treatments" / "colchicine.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?ms)^patient:\n.*?(?=^references:)", "", text), encoding="utf-8")
    errors = errors_of(content_copy)
    assert len(errors) == 1
    first = line_of(path, "id:")  # the treatment as a whole: where its fields start, after the schema line
    assert errors[0].startswith(f"treatments/colchicine.yml:{first}: patient: missing: tier 'first-line' has a patient text")


def test_a_patient_text_that_the_leaflet_would_not_show_is_refused(content_copy):
    path = content_copy / "treatments" / "minocycline.yml"
    replace_in(path, "references:", 'patient: {en: "Plain words [@bienvenu-2014]", fr: "Mots simples [@bienvenu-2014]"}\nreferences:')
    errors = errors_of(content_copy)
    assert len(errors) == 1
    assert re.match(r"treatments/minocycline\.yml:\d+: patient: the patient leaflet would not show it", errors[0])


def test_a_placeholder_in_a_patient_text_is_a_located_error(content_copy):
    replace_in(content_copy / "care.yml", "Call an ambulance at once", "Call an ambulance (TODO: number) at once")
    errors = errors_of(content_copy)
    assert len(errors) == 1
    assert re.match(r"care\.yml:\d+: sections\.\d+\.patient\.body\.en: placeholder 'TODO'", errors[0])


@pytest.mark.parametrize("lang", LANGS)
def test_the_built_leaflet_holds_no_placeholder(built, catalogue, lang):
    html = leaflet_html(built, catalogue, lang)
    assert [block for block in leaflet_blocks(html) if placeholder_in(block)] == []
    assert "example.org" not in html


# Words a patient may not know: where one first appears in the leaflet, it is explained in brackets right after it
# ("dermatomyositis (a disease that…)"), or it is the name given in brackets to what was just said in plain words
# ("calcium deposits in the skin (calcinosis)"), or the sentence says what it means, or a heading asks what it is
# and the text under it answers. The glossary's terms are such words too; its abbreviations are left out altogether.
EXPLAIN = {"en": ["calcinosis", "inflammation"], "fr": ["calcinose", "inflammation"]}
LEAVE_OUT = {
    "en": ["subcutaneous", "lesion", "dystrophic", "systemic", "contraindicated", "off-label", "oedema", "edema",
           "bradycardia", "ischaemia", "ischemia", "excision", "hydroxyapatite", "metastatic", "calciphylaxis",
           "CYP3A4", "glycoprotein", "creatinine", "analgesic", "radiograph", "immunosuppressant", "intralesional",
           "topical", "regimen", "efficacy", "randomised", "myositis"],
    "fr": ["sous-cutané", "hypoderme", "lésion", "dystrophique", "systémique", "contre-indiqué", "hors AMM",
           "œdème", "bradycardie", "ischémie", "exérèse", "hydroxyapatite", "métastatique", "calciphylaxie",
           "CYP3A4", "glycoprotéine", "créatinine", "antalgique", "radiographie standard", "immunosuppresseur",
           "intralésionnel", "topique", "posologie", "efficacité", "randomisé", "myosite"],
}
EXPLAINED = {"en": r"(?:\s+\S+){0,2}\s*\(|\s+means\b", "fr": r"(?:\s+\S+){0,2}\s*\(|\s+(?:signifie|veut dire)\b"}
NAMED = {"en": r"(?:\(\s*|\bWhat is\s+)$", "fr": r"(?:\(\s*|\b[Oo]n parle de\s+|\bQu'est-ce que (?:la |le |l')?\s*)$"}


def words_to_explain(guide, lang: str) -> set[str]:
    terms = {part.strip() for term in guide.glossary.terms for part in re.split(r"\s*/\s*|,\s*", term.term[lang])}
    return {term for term in terms if len(term) > 3 and not term.isupper()} | set(EXPLAIN[lang])


@pytest.mark.parametrize("lang", LANGS)
def test_every_medical_word_is_explained_where_it_first_appears_or_left_out(built, guide, catalogue, lang):
    text = " ".join(leaflet_blocks(leaflet_html(built, catalogue, lang))).replace("’", "'")  # French apostrophes
    unexplained = []
    for word in sorted(words_to_explain(guide, lang)):
        found = re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text, re.IGNORECASE)
        if found and not (re.match(EXPLAINED[lang], text[found.end():])
                          or re.search(NAMED[lang], text[:found.start()])):
            unexplained.append(text[max(0, found.start() - 30):found.end() + 30])
    assert unexplained == []
    without_explained = text
    for word in words_to_explain(guide, lang):
        without_explained = re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", " ", without_explained, flags=re.I)
    jargon = [word for word in LEAVE_OUT[lang]
              if re.search(rf"(?<![\w-]){re.escape(word)}", without_explained, re.IGNORECASE)]
    abbreviations = [term.abbr[lang] for term in guide.glossary.terms
                     if term.abbr and re.search(rf"(?<![\w-]){re.escape(term.abbr[lang])}(?![\w-])", text)]
    assert jargon == [] and abbreviations == []


def test_the_explained_words_check_finds_an_unexplained_one(guide):
    """The rule above, on a sentence that breaks it and on one that keeps it."""
    words = words_to_explain(guide, "en")
    assert "dermatomyositis" in words and "systemic sclerosis" in words
    text = "It comes with dermatomyositis, which is common."
    found = re.search(r"dermatomyositis", text)
    assert not re.match(EXPLAINED["en"], text[found.end():])
    text = "It comes with dermatomyositis (a disease of muscles)."
    assert re.match(EXPLAINED["en"], text[re.search("dermatomyositis", text).end():])


# --- readability ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_leaflet_reads_at_its_target_level(built, catalogue, lang):
    """English: Flesch reading ease ≥ 60. French: Kandel–Moles ≥ 68, the level of the HAS patient guide measured
    with the same library and formula (tests/readability.py, README)."""
    figures = readability(leaflet_prose(leaflet_html(built, catalogue, lang)), lang)
    assert figures.words > 400 and figures.sentences > 30, figures
    assert figures.score >= figures.target, str(figures)


def test_readability_formula_scores_hard_text_lower_than_plain_text():
    """The measure tells plain words from clinical prose, in both languages."""
    plain = {"en": "The lumps can hurt. Call your doctor if the skin gets red. Keep your hands warm.",
             "fr": "Les dépôts peuvent faire mal. Appelez votre médecin si la peau rougit. Gardez les mains au chaud."}
    clinical = {"en": "Dystrophic calcinosis complicating systemic sclerosis warrants multidisciplinary evaluation "
                      "incorporating radiographic characterisation and pharmacological intervention.",
                "fr": "La calcinose dystrophique compliquant la sclérodermie systémique justifie une évaluation "
                      "pluridisciplinaire incluant une caractérisation radiographique."}
    for lang in LANGS:
        assert readability(plain[lang], lang).score > readability(clinical[lang], lang).score + 40


# --- the draft notice -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_draft_notice_is_on_the_leaflet_while_no_editor_is_named(built, guide, catalogue, lang):
    assert not guide.site.editors
    first = leaflet_blocks(leaflet_html(built, catalogue, lang))[0]
    assert spaced(first) == spaced(catalogue.ui["leaflet_draft"][lang])


def spaced(text: str) -> str:
    """A text with French typography's no-break spaces made plain, to compare words."""
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").replace("’", "'").split())


def test_the_draft_notice_goes_once_an_editor_is_named(content_copy, tmp_path, catalogue):
    pages = markdown_with_an_editor(content_copy, tmp_path / "docs", catalogue)
    guide = load_guide(content_copy)
    for lang in LANGS:
        markdown = pages[lang]["leaflet"]
        assert catalogue.ui["leaflet_draft"][lang].split()[0] not in markdown
        assert guide.leaflet.questions.title[lang] in markdown


# --- where it is found ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_home_page_links_the_leaflet(built, catalogue, lang):
    home = (built.site_dir / lang / "index.html").read_text(encoding="utf-8")
    assert f'href="{leaflet_path(catalogue, lang)}"' in home


@pytest.mark.parametrize("lang", LANGS)
def test_the_leaflet_page_offers_its_pdf_and_the_chooser_links_both_pdfs(built, catalogue, lang):
    assert f'href="../{LEAFLET.file_name(lang)}"' in leaflet_html(built, catalogue, lang)
    assert f'href="{LEAFLET.file_name(lang)}"' in (built.site_dir / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("settings, expected", [(PublishSettings(), "leaflet-{lang}.pdf"),
                                                (PublishSettings(ADDRESS), ADDRESS + "{lang}/{page}")])
@pytest.mark.parametrize("lang", LANGS)
def test_every_handout_sends_to_the_leaflet(guide, catalogue, lang, settings, expected):
    html = HandoutRenderer(guide, catalogue, PROJECT / "templates", settings=settings).html(lang, PROJECT)
    line = html[html.index('class="cg-handout__leaflet"'):]
    line = line[:line.index("</p>")]
    assert expected.format(lang=lang, page=leaflet_path(catalogue, lang)) in line
    assert catalogue.ui["leaflet"][lang].split()[0] in line


@pytest.mark.parametrize("lang", LANGS)
def test_search_index_holds_the_leaflet_under_its_words(built, catalogue, lang):
    index = read_index(built.site_dir / lang)
    titles = [doc["title"].lower() for doc in index["docs"] if doc["location"].startswith(leaflet_path(catalogue, lang))]
    assert titles
    words = {"en": ("patient", "leaflet"), "fr": ("fiche", "information", "patient")}[lang]
    assert all(word in titles[0] for word in words), titles[0]


# --- on paper and on screen (browser) ----------------------------------------------------------------------------------


def printed(built, lang: str) -> PdfReader:
    return PdfReader(built.dist_dir / LEAFLET.file_name(lang))


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_the_printed_leaflet_is_one_or_two_a4_pages(built, lang):
    reader = printed(built, lang)
    assert 1 <= len(reader.pages) <= 2
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(A4_POINTS[0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4_POINTS[1], abs=1)


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_the_printed_leaflet_has_nothing_under_12_points(built, lang):
    sizes = printed_sizes(printed(built, lang))
    assert sizes and min(sizes) >= SMALLEST_PRINTED_POINTS, {size: text for size, text in sizes.items() if size < 12}


def source_name(ref) -> str:
    """How a source of the leaflet begins: its first author's surname, or the body that publishes it."""
    return ref.authors.split(",")[0].split()[0] if ref.kind == "article" else ref.holder.split(",")[0].split(" (")[0]


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_the_printed_leaflet_holds_its_title_draft_notice_parts_and_sources(built, guide, catalogue, lang):
    reader = printed(built, lang)
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    text = text.replace("\u202f", " ").replace("\u00a0", " ").replace("’", "'")
    expected = [guide.leaflet.title[lang], catalogue.ui["leaflet_draft"][lang], guide.leaflet.questions.title[lang],
                *(part.title[lang] for part in guide.leaflet_parts()),
                *(source_name(ref) for ref in guide.leaflet_references())]
    for phrase in expected:
        assert " ".join(phrase.replace("’", "'").split()) in text, phrase
    assert re.search(r"(?<!\d)1\s*/\s*2(?!\d)", reader.pages[0].extract_text() or ""), "page number n/N"


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_the_printed_leaflet_is_black_and_white(built, lang, tmp_path):
    """Every pixel of the printed pages is a grey: nothing rests on colour (pdftoppm writes PPM by default)."""
    subprocess.run(["pdftoppm", "-r", "40", str(built.dist_dir / LEAFLET.file_name(lang)),
                    str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.ppm"))
    assert pages
    for image in pages:
        data = image.read_bytes()
        # A binary PPM: "P6", width, height, maximum value, then RGB bytes.
        header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
        pixels = data[header.end():]
        coloured = sum(1 for i in range(0, len(pixels), 3)
                       if max(pixels[i:i + 3]) - min(pixels[i:i + 3]) > 16)
        assert coloured == 0, f"{image.name}: {coloured} coloured pixels"


@pytest.mark.browser
def test_the_leaflets_travel_in_the_offline_bundle(built):
    with zipfile.ZipFile(offline_bundles(built.dist_dir)[0]) as archive:
        names = {Path(name).name for name in archive.namelist()}
    assert {LEAFLET.file_name(lang) for lang in LANGS} <= names


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_the_leaflet_page_has_no_axe_violation_and_fits_a_phone(built, browser, catalogue, lang):
    with visit(browser, viewport={"width": 1280, "height": 900}) as session:
        session.page.add_init_script(path=AXE)
        session.page.goto((built.site_dir / lang / leaflet_path(catalogue, lang)).as_uri())
        violations = session.page.evaluate(RUN_AXE, None)
        without_transitions(session.page)
        width, small = phone_view(session.page, 360)
        assert session.outside_requests == [] and session.console_errors == []
    assert violations == []
    assert width <= 360 and small == []


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_the_leaflet_page_prints_at_12_points_or_more(built, browser, catalogue, lang):
    """The Print button of the page prints the leaflet as large as its PDF (print.css)."""
    with visit(browser) as session:
        session.page.goto((built.site_dir / lang / leaflet_path(catalogue, lang)).as_uri())
        assert session.page.locator(".cg-print-button").is_visible()
        session.page.emulate_media(media="print")
        pdf = session.page.pdf(format="A4", print_background=True)
    sizes = printed_sizes(PdfReader(io.BytesIO(pdf)))
    assert sizes and min(sizes) >= SMALLEST_PRINTED_POINTS, {size: text for size, text in sizes.items() if size < 12}


SEARCHES = {"en": ("leaflet", "patient", "patient leaflet"), "fr": ("fiche patient", "information patient", "patient")}


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_search_finds_the_leaflet_by_its_words(built, browser, catalogue, lang):
    target = leaflet_path(catalogue, lang)
    missed = []
    with visit(browser) as session:
        watch_search(session.page)
        session.page.goto((built.site_dir / lang / "index.html").as_uri())
        for query in SEARCHES[lang]:
            found = [link.split("?")[0].split("#")[0].rsplit("/", 1)[-1] for link in search(session.page, query)]
            if target not in found[:5]:
                missed.append((query, found[:5]))
    assert missed == []


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_the_printed_leaflet_is_tagged_and_says_what_it_is(built, guide, catalogue, lang):
    """The finishing the handouts get (calcguide/pdftags.py): XMP title, language, version, review date."""
    import pikepdf

    with pikepdf.open(built.dist_dir / LEAFLET.file_name(lang)) as pdf:
        xmp = pdf.open_metadata()
        assert catalogue.ui["leaflet"][lang].split()[0] in xmp["dc:title"]
        assert set(xmp["dc:language"]) == {lang} and str(pdf.Root.Lang) == lang
        assert list(xmp["dc:date"]) == [guide.leaflet.last_reviewed.isoformat()]
        assert pdf.Root.MarkInfo.Marked is True
