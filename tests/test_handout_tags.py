"""The handout PDFs for screen readers and catalogues: the chart's branches are in the tag tree and read in order,
everything painted outside the tags is an artifact (headers, footers, page numbers, lines), links have alternate
text, and XMP metadata gives the title, language, version and date. The tag tree is read back with poppler's
`pdfinfo -struct-text`, the content streams and metadata with pikepdf."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from calcguide.content import LANGS
from test_published_site import built_with_address  # noqa: F401 - the fixture: a release build with an address

pytestmark = [pytest.mark.browser,  # needs the printed handouts (Chromium)
              pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils (make test installs it)")]

PAINTING = {"Tj", "TJ", "'", '"', "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "Do", "sh"}


def handout(layout, lang: str) -> Path:
    return layout.dist_dir / f"handout-{lang}.pdf"


def tagged_texts(pdf: Path) -> list[str]:
    """The texts of the tag tree, in its order (what a screen reader reads), and poppler's complaints."""
    done = subprocess.run(["pdfinfo", "-struct-text", str(pdf)], capture_output=True, text=True, check=True)
    assert "Syntax Error" not in done.stderr, done.stderr[:500]  # e.g. a structure type PDF does not define
    return [line.strip()[1:-1] for line in done.stdout.splitlines() if line.strip().startswith('"')]


def steps_of(algorithm) -> dict[str, str]:
    """Each box's step number as the chart shows it: its row, and a letter when the row has several boxes."""
    return {node.id: f"{number}{'abcdefghij'[index] if len(row) > 1 else ''}"
            for number, row in enumerate(algorithm.rows(), start=1) for index, node in enumerate(row)}


@pytest.mark.parametrize("lang", LANGS)
def test_every_branch_of_the_chart_is_tagged_and_read_between_its_two_steps(built, guide, lang):
    texts = tagged_texts(handout(built, lang))
    steps = steps_of(guide.algorithm)
    position = {text: index for index, text in reversed(list(enumerate(texts)))}  # first place of each text
    labelled = [edge for edge in guide.algorithm.edges if edge.label]
    assert labelled
    for edge in labelled:
        answer = f"{edge.label[lang]} → {steps[edge.target]}"
        places = [index for index, text in enumerate(texts) if text == answer]
        assert places, f"{answer!r} is not in the tag tree"
        assert any(position[steps[edge.source]] < place < position[steps[edge.target]] for place in places), answer


@pytest.mark.parametrize("lang", LANGS)
def test_nothing_is_painted_outside_the_tag_tree_except_as_an_artifact(built, lang):
    with pikepdf.open(handout(built, lang)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            stack, untagged, artifacts = [], 0, 0
            for operands, operator in pikepdf.parse_content_stream(page):
                operator = str(operator)
                if operator == "BDC":
                    tagged = isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]
                    stack.append("tag" if tagged else str(operands[0]))
                elif operator == "BMC":
                    stack.append(str(operands[0]))
                elif operator == "EMC":
                    stack.pop()
                elif operator in PAINTING:
                    untagged += not stack or not ({"tag", "/Artifact"} & set(stack))
                    artifacts += "/Artifact" in stack and "tag" not in stack
            assert untagged == 0, f"page {number}"
            assert artifacts > 0, f"page {number}"  # its number, and after the first its running head


@pytest.mark.parametrize("lang", LANGS)
def test_running_heads_and_page_numbers_are_artifacts_not_text_to_read(built, guide, lang):
    reader_text = " ".join(tagged_texts(handout(built, lang)))
    first_page = PdfReader(handout(built, lang)).pages[0].extract_text()  # page 1 has no running head
    pages = len(PdfReader(handout(built, lang)).pages)
    assert pages > 1
    assert f"1/{pages}" not in reader_text and f"2/{pages}" not in reader_text
    # The version is read where the handout's own text says it (page 1), not in each page's running head.
    assert reader_text.count(guide.site.version) == first_page.count(guide.site.version) > 0


@pytest.mark.parametrize("lang", LANGS)
def test_the_handout_carries_xmp_metadata_with_title_language_version_and_date(built, guide, catalogue, lang):
    with pikepdf.open(handout(built, lang)) as pdf:
        xmp = pdf.open_metadata()
        assert xmp["dc:title"] == pdf.docinfo["/Title"]
        assert str(guide.site.title[lang]).split()[0] in xmp["dc:title"]
        assert set(xmp["dc:language"]) == {lang} and str(pdf.Root.Lang) == lang
        assert xmp["xmpMM:VersionID"] == guide.site.version
        assert list(xmp["dc:date"]) == [guide.last_reviewed.isoformat()]
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert pdf.Root.MarkInfo.Marked is True


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_every_link_of_the_handout_says_where_it_leads(built_with_address, lang):
    with pikepdf.open(handout(built_with_address, lang)) as pdf:
        links = [annotation for page in pdf.pages for annotation in page.get("/Annots", [])
                 if annotation.get("/Subtype") == "/Link"]
        assert links
        for link in links:
            assert str(link.Contents) == str(link.A.URI)
