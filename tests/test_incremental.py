"""The incremental preview (calcguide/incremental.py): a save rebuilds the pages it changes, through the fragments
they show, and the search index is patched to what a whole build would have written."""
from __future__ import annotations

import subprocess
import sys

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
    # The new sentence goes before the old text, which keeps the numbers the other language states (the build
    # checks that both languages give the same numbers).
    data[field][lang] = f"{text} {data[field][lang]}"
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


def _site_files(site) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def test_after_any_sequence_of_saves_the_preview_shows_what_a_build_from_nothing_shows(content_copy, tmp_path):
    """Every cache of the preview (each file's validation, fragments, search fields, the dirty MkDocs build, the
    patched index) at once, through the kinds of save an editor makes, a mistake and a return to bytes seen
    before; then every file of the preview against a preview built from nothing in a fresh process (whose caches
    in memory are empty)."""
    from conftest import replace_in

    layout = Layout(PROJECT, content_copy, tmp_path / "site", tmp_path / "dist", tmp_path / "work")
    preview = Preview(layout)
    preview.rebuild()
    treatment = content_copy / "treatments" / "diltiazem.yml"
    first_bytes = treatment.read_bytes()
    _edit(content_copy, "diltiazem", "summary", "en", "A treatment's text edited in the preview.")
    assert preview.rebuild() == ["en"]
    replace_in(content_copy / "references.yml", "title: Traitement des calcinoses sous-cutanées des connectivites",
               "title: Traitement des calcinoses sous-cutanées des connectivites (titre modifié)")
    assert preview.rebuild() == ["en", "fr"]  # a reference's title is in both languages' citation tooltips
    replace_in(content_copy / "algorithm.yml", "en: The main lever, above all in children",
               "en: The main lever, edited in the preview, above all in children")
    assert preview.rebuild() == ["en"]
    replace_in(treatment, "last_reviewed: 2026-12-04", "last_reviewed: not-a-date")
    assert not preview.rebuild_and_report()
    assert any("last_reviewed" in message for message in preview.errors)
    treatment.write_bytes(first_bytes)  # back to bytes the cache has seen, and out of the failure
    assert preview.rebuild_and_report()
    _edit(content_copy, "colchicine", "mechanism", "fr", "Un mécanisme modifié dans l’aperçu, comme le thiosulfate de sodium.")
    assert preview.rebuild() == ["fr"]

    fresh = Layout(PROJECT, content_copy, tmp_path / "fresh-site", tmp_path / "fresh-dist", tmp_path / "fresh-work")
    subprocess.run([sys.executable, "-c", (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1])\n"
        "from calcguide.pipeline import Layout; from calcguide.serve import Preview\n"
        "Preview(Layout(*map(Path, sys.argv[1:]))).rebuild()"),
        str(PROJECT), str(content_copy), str(fresh.site_dir), str(fresh.dist_dir), str(fresh.work_dir)],
        check=True, cwd=PROJECT)
    previewed, from_nothing = _site_files(layout.site_dir), _site_files(fresh.site_dir)
    assert previewed.keys() == from_nothing.keys()
    assert [name for name in previewed if previewed[name] != from_nothing[name]] == []
    # The saves reached the pages (in both sites alike, as compared above).
    assert "(titre modifié)" in previewed["fr/references.html"].decode()
    assert "Un mécanisme modifié dans l’aperçu, comme le thiosulfate de sodium." in previewed["fr/traitements/colchicine.html"].decode()
    assert "The main lever, edited in the preview" in previewed["en/algorithm.html"].decode()
