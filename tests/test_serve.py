"""The live preview rebuilds only the language whose pages changed, and nothing when no page changed."""
from __future__ import annotations

from pathlib import Path

import yaml

from calcguide.pipeline import Layout
from calcguide.serve import Preview

PROJECT = Path(__file__).resolve().parents[1]


def test_preview_rebuilds_only_the_language_whose_text_changed(content_copy, tmp_path):
    layout = Layout(PROJECT, content_copy, tmp_path / "site", tmp_path / "dist", tmp_path / "work")
    preview = Preview(layout)
    assert sorted(preview.rebuild()) == ["en", "fr"]
    french_page = next((layout.site_dir / "fr").rglob("diltiazem.html"))
    french_before = french_page.read_text()

    source = content_copy / "treatments" / "diltiazem.yml"
    data = yaml.safe_load(source.read_text())
    data["summary"]["en"] = "An edited English summary."
    source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))

    assert preview.rebuild() == ["en"]
    assert "An edited English summary." in next((layout.site_dir / "en").rglob("diltiazem.html")).read_text()
    assert french_page.read_text() == french_before
    assert not list(layout.dist_dir.glob("*.zip"))  # the preview skips the offline bundle


def test_preview_rebuilds_nothing_when_a_save_changes_no_page(content_copy, tmp_path):
    layout = Layout(PROJECT, content_copy, tmp_path / "site", tmp_path / "dist", tmp_path / "work")
    preview = Preview(layout)
    preview.rebuild()
    source = content_copy / "treatments" / "diltiazem.yml"
    source.write_text(source.read_text() + "\n# a comment changes no page\n")
    assert preview.rebuild() == []
