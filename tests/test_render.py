"""Both languages are rendered from the same templates into the same set of pages."""
from __future__ import annotations

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


def test_every_interface_string_exists_in_both_languages():
    catalogue = load_catalogue(PROJECT / "templates")
    for text in catalogue.ui.values():
        assert text.en and text.fr


def test_citations_become_numbered_links_to_the_references_page(tmp_path):
    guide = load_guide(PROJECT / "content")
    render(guide, load_catalogue(PROJECT / "templates"), PROJECT, tmp_path)
    page = (tmp_path / "fr" / "traitements" / "diltiazem.md").read_text()
    number = guide.reference_number("balin-2012")
    assert f"[{number}](../references.md#balin-2012)" in page
    assert "[@" not in page
