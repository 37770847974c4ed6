"""The incremental preview (calcguide/incremental.py): a save rebuilds the pages it changes, through the fragments
they show, and the search index is patched to what a whole build would have written."""
from __future__ import annotations

import pytest
import yaml

from calcguide.pipeline import Layout
from calcguide.search import read_index
from calcguide.serve import Preview
from conftest import PROJECT

pytestmark = pytest.mark.slow


def _edit(content, treatment: str, field: str, lang: str, text: str) -> None:
    source = content / "treatments" / f"{treatment}.yml"
    data = yaml.safe_load(source.read_text())
    data[field][lang] = text
    source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def test_a_text_edit_rebuilds_its_pages_through_their_fresh_fragments_and_patches_the_index(content_copy, tmp_path):
    layout = Layout(PROJECT, content_copy, tmp_path / "site", tmp_path / "dist", tmp_path / "work")
    preview = Preview(layout)
    preview.rebuild()
    markdown = layout.work_dir / "docs" / "en" / "treatments" / "diltiazem.md"
    before = markdown.read_text()

    _edit(content_copy, "diltiazem", "mechanism", "en", "A mechanism edited in the live preview.")
    assert preview.rebuild() == ["en"]
    assert preview.live.dirty["en"]
    assert "treatments/diltiazem.md" in preview.live.rebuilt["en"]
    assert len(preview.live.rebuilt["en"]) < len(preview.live.tables["en"]) / 2  # not the whole site
    # The page's Markdown holds placeholders only: the new text reached the page through this rebuild's fragments.
    assert markdown.read_text() == before
    page = (layout.site_dir / "en" / "treatments" / "diltiazem.html").read_text()
    assert "A mechanism edited in the live preview." in page

    # The patched index is the one a whole build of the same content writes.
    fresh = Layout(PROJECT, content_copy, tmp_path / "fresh-site", tmp_path / "fresh-dist", tmp_path / "fresh-work")
    Preview(fresh).rebuild()
    assert read_index(layout.site_dir / "en") == read_index(fresh.site_dir / "en")
    assert (layout.site_dir / "en" / "treatments" / "diltiazem.html").read_text() == \
        (fresh.site_dir / "en" / "treatments" / "diltiazem.html").read_text()


def test_after_a_failed_rebuild_the_next_one_builds_the_language_whole(content_copy, tmp_path, monkeypatch):
    layout = Layout(PROJECT, content_copy, tmp_path / "site", tmp_path / "dist", tmp_path / "work")
    preview = Preview(layout)
    preview.rebuild()

    def broken_search(*args):
        raise KeyError("a bug nobody foresaw")

    monkeypatch.setattr("calcguide.pipeline.enrich_search_index", broken_search)
    _edit(content_copy, "diltiazem", "summary", "en", "An edit made while a stage is broken.")
    assert not preview.rebuild_and_report()
    assert "An edit made while a stage is broken." not in (layout.site_dir / "en/treatments/diltiazem.html").read_text()
    monkeypatch.undo()
    _edit(content_copy, "colchicine", "summary", "en", "A second edit, once fixed.")
    assert preview.rebuild() == ["en"]
    assert not preview.live.dirty["en"]
    for page, text in (("diltiazem", "An edit made while a stage is broken."), ("colchicine", "A second edit, once fixed.")):
        assert text in (layout.site_dir / "en" / "treatments" / f"{page}.html").read_text()
