"""Both languages are rendered from the same templates into the same set of pages."""
from __future__ import annotations

import re

from calcguide.content import LANGS, load_guide
from calcguide.render import load_catalogue, render
from conftest import PROJECT


def test_both_languages_render_the_same_pages(tmp_path):
    guide = load_guide(PROJECT / "content")
    rendered = render(guide, load_catalogue(PROJECT / "templates"), PROJECT, tmp_path)
    pages = {lang: [page.kind for page in rendered[lang].pages] for lang in LANGS}
    assert pages["en"] == pages["fr"]
    for lang in LANGS:
        written = {p.relative_to(tmp_path / lang).as_posix() for p in (tmp_path / lang).rglob("*.md")}
        assert written == {page.paths[lang] for page in rendered[lang].pages}


def test_citations_become_numbered_links_to_the_references_page(tmp_path):
    guide = load_guide(PROJECT / "content")
    rendered = render(guide, load_catalogue(PROJECT / "templates"), PROJECT, tmp_path)
    page = next(page for page in rendered["fr"].pages if page.paths["fr"] == "traitements/diltiazem.md")
    markdown = rendered["fr"].page_markdown(page)
    number = guide.reference_number("balin-2012")
    assert f'href="../references.html#balin-2012">{number}</a>' in markdown
    assert "[@" not in markdown


def test_grouped_citations_are_each_a_link():
    from calcguide.fragments import CONTENT_MARKDOWN, Citation, Setting

    def cite(ref_id: str) -> Citation:
        return Citation({"a": 3, "b": 7}[ref_id], f"references.html#{ref_id}", f"Reference {ref_id}")

    html = CONTENT_MARKDOWN.render("Dose [@a; @b].", Setting("en", cite)).inline
    assert html == ('Dose&nbsp;<span class="cg-cites">['
                    '<a class="cite cite--d1" data-cg-ref="Reference a" href="references.html#a">3</a>, '
                    '<a class="cite cite--d1" data-cg-ref="Reference b" href="references.html#b">7</a>]</span>.')


def test_adjacent_citations_group_in_one_bracket_in_number_order_each_once():
    from calcguide.fragments import CONTENT_MARKDOWN, Citation, Setting

    def cite(ref_id: str) -> Citation:
        return Citation({"a": 3, "b": 7, "c": 12}[ref_id], f"r.html#{ref_id}", ref_id)

    for text in ("Dose [@c] [@a]\n[@b; @a].", "Dose [@a; @b] [@c].", "Dose [@c]  [@b] [@a]."):
        html = CONTENT_MARKDOWN.render(text, Setting("en", cite)).inline
        assert html.count("<span") == 1 and html.count("[") == 1 and html.endswith("]</span>."), html
        assert re.findall(r">(\d+)</a>", html) == ["3", "7", "12"], html
        assert 'class="cite cite--d2"' in html
    # Citations of two places of a sentence stay apart.
    html = CONTENT_MARKDOWN.render("One [@a], two [@b].", Setting("en", cite)).inline
    assert html.count('<span class="cg-cites">') == 2


def test_the_indentation_of_a_page_goes_but_its_scripts_and_preformatted_text_keep_theirs():
    from calcguide.placeholders import without_indentation

    page = ('<div>\n    <p>one\n      two</p>\n<pre>\n  kept\n</pre>\n  <script>\n  var a = 1;\n</script>'
            '\n  <STYLE>\n  p {}\n</STYLE>\n\t<textarea>\n  typed</textarea>')
    assert without_indentation(page) == ('<div>\n<p>one\ntwo</p>\n<pre>\n  kept\n</pre>\n<script>\n  var a = 1;\n'
                                         '</script>\n<STYLE>\n  p {}\n</STYLE>\n<textarea>\n  typed</textarea>')
