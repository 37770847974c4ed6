"""End to end: the real content builds two sites with the right language, links and search index."""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from calcguide.content import LANGS
from calcguide.search import read_index
from conftest import is_redirect_page


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html" and not is_redirect_page(p))


class AlternateLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: dict[str, str] = {}
        self.html_lang = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "html":
            self.html_lang = attributes.get("lang", "")
        if tag == "a" and "md-select__link" in (attributes.get("class") or ""):
            self.links[attributes["hreflang"]] = attributes["href"]


def parse(page: Path) -> AlternateLinks:
    parser = AlternateLinks()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_both_sites_hold_the_same_number_of_pages(built):
    counts = {lang: len(html_pages(built.site_dir / lang)) for lang in LANGS}
    assert counts["en"] == counts["fr"] > 10


def test_every_page_declares_its_language(built):
    for lang in LANGS:
        for page in html_pages(built.site_dir / lang):
            assert parse(page).html_lang == lang, page


def test_language_switch_leads_to_the_counterpart_page(built):
    for lang in LANGS:
        other = next(code for code in LANGS if code != lang)
        for page in html_pages(built.site_dir / lang):
            links = parse(page).links
            target = (page.parent / links[other]).resolve()
            assert target.is_file(), f"{page}: {links[other]}"
            assert parse(target).html_lang == other
            back = (target.parent / parse(target).links[lang]).resolve()
            assert back == page.resolve()


def test_each_search_index_holds_only_its_own_language(built):
    for lang in LANGS:
        index = read_index(built.site_dir / lang)
        assert index["config"]["lang"] == [lang]
        for doc in index["docs"]:
            path = doc["location"].split("#")[0] or "index.html"
            assert (built.site_dir / lang / path).is_file(), doc["location"]


def test_root_page_offers_both_languages(built):
    html = (built.site_dir / "index.html").read_text()
    assert set(re.findall(r'href="(en|fr)/index.html"', html)) == {"en", "fr"}


def test_build_writes_the_offline_bundle(built):
    assert list(built.dist_dir.glob("calcinosis-guide-offline-*.zip"))


def test_every_themed_page_has_our_scheme_toggle_and_not_materials_palette(built):
    # Material's bundle runs its palette script on a [data-md-component=palette] form: at load it restyles every
    # element of the page twice. Our toggle (templates/theme/partials/palette.html) replaces it on every page.
    for lang in LANGS:
        for page in html_pages(built.site_dir / lang):
            html = page.read_text(encoding="utf-8")
            assert html.count("data-cg-scheme-toggle") == 2, page  # the button, and the inline script that finds it
            assert 'data-md-component="palette"' not in html, page
