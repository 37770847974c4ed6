"""Pruning deletes the theme files on its list, and only those: an asset it does not know stays."""
from __future__ import annotations

from pathlib import Path

from calcguide.site import prune_unused_assets

THEME_FILES = [
    "assets/javascripts/bundle.1234.min.js", "assets/javascripts/bundle.1234.min.js.map",
    "assets/javascripts/workers/search.5678.min.js", "assets/javascripts/lunr/tinyseg.js",
    "assets/javascripts/lunr/wordcut.js", "assets/javascripts/lunr/min/lunr.fr.min.js",
    "assets/javascripts/lunr/min/lunr.de.min.js", "assets/javascripts/lunr/min/lunr.multi.min.js",
    "assets/javascripts/lunr/min/lunr.stemmer.support.min.js", "assets/stylesheets/main.9abc.min.css",
    "assets/stylesheets/palette.def0.min.css", "assets/images/favicon.png",
    # What a later theme release might add and build a URL to at run time, named in no file of the site:
    "assets/javascripts/feature-loaded-by-name.js",
]


def make_site(root: Path) -> Path:
    for name in THEME_FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x")
    return root


def remaining(root: Path) -> set[str]:
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def test_a_french_site_keeps_its_stemmer_and_every_file_off_the_list(tmp_path):
    site = make_site(tmp_path)
    prune_unused_assets(site, search_languages=["fr"], palette=False)
    assert remaining(site) == {
        "assets/javascripts/bundle.1234.min.js", "assets/javascripts/workers/search.5678.min.js",
        "assets/javascripts/lunr/min/lunr.fr.min.js", "assets/javascripts/lunr/min/lunr.stemmer.support.min.js",
        "assets/stylesheets/main.9abc.min.css", "assets/images/favicon.png",
        "assets/javascripts/feature-loaded-by-name.js"}


def test_an_english_site_needs_no_lunr_script_and_a_palette_is_kept_when_configured(tmp_path):
    site = make_site(tmp_path)
    prune_unused_assets(site, search_languages=["en"], palette=True)
    left = remaining(site)
    assert not any("/lunr/" in name for name in left)
    assert "assets/stylesheets/palette.def0.min.css" in left
    assert "assets/javascripts/feature-loaded-by-name.js" in left
