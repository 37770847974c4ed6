"""Integrity of the built output: every internal link and anchor of both sites and of the offline bundle leads
somewhere, every DOI and PMID is a well-formed link on the references page, and no live markup (scripts, event
handlers, javascript: links) sits inside the content of a page."""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from calcguide.content import LANGS, load_guide
from calcguide.render import load_catalogue
from conftest import PRINTED_PDF, PROJECT

LINKING_ATTRIBUTES = ("href", "src")
# Elements that would run or embed something; none may come out of a content text.
LIVE_ELEMENTS = {"script", "iframe", "object", "embed", "form", "style", "base", "meta", "link"}


@dataclass
class ParsedPage:
    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str]] = field(default_factory=list)  # (attribute, value)
    live_in_content: list[str] = field(default_factory=list)
    event_handlers: list[str] = field(default_factory=list)
    anchors: list[tuple[str, str]] = field(default_factory=list)  # (href, text) of <a>


class _Parser(HTMLParser):
    def __init__(self, page: ParsedPage):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.article_depth = 0  # inside <article>: where the rendered content goes
        self.current_anchor: list | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("id", "name"):
            if attributes.get(name):
                self.page.ids.add(attributes[name])
        for name in LINKING_ATTRIBUTES:
            if attributes.get(name) is not None:
                self.page.links.append((name, attributes[name]))
        self.page.event_handlers += [f"<{tag} {name}>" for name, _ in attrs if name.startswith("on")]
        if tag == "article":
            self.article_depth += 1
        elif self.article_depth and tag in LIVE_ELEMENTS:
            self.page.live_in_content.append(self.get_starttag_text())
        if tag == "a":
            self.current_anchor = [attributes.get("href", ""), ""]

    def handle_endtag(self, tag):
        if tag == "article" and self.article_depth:
            self.article_depth -= 1
        if tag == "a" and self.current_anchor is not None:
            self.page.anchors.append(tuple(self.current_anchor))
            self.current_anchor = None

    def handle_data(self, data):
        if self.current_anchor is not None:
            self.current_anchor[1] += data


@lru_cache(maxsize=None)
def parse(path: Path) -> ParsedPage:
    page = ParsedPage()
    _Parser(page).feed(path.read_text(encoding="utf-8"))
    return page


def html_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def broken_links(root: Path, pages: list[Path]) -> list[str]:
    """Every relative href/src of these pages that misses its file, or its #anchor in that file."""
    problems = []
    for path in pages:
        for attribute, value in parse(path).links:
            parts = urlsplit(value)
            if parts.scheme or parts.netloc:
                continue  # outside links (doi.org, PubMed) are not ours to check offline
            target = path
            if parts.path:
                # Only the 404 page uses absolute paths (/en/...): they start at the server's root.
                base = root if parts.path.startswith("/") else path.parent
                target = (base / unquote(parts.path).lstrip("/")).resolve()
            if not target.is_file():
                problems.append(f"{path.relative_to(root)}: {attribute}={value!r}: no such file")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in parse(target).ids:
                problems.append(f"{path.relative_to(root)}: {attribute}={value!r}: no such anchor")
    return problems


def test_every_internal_link_and_anchor_of_both_sites_resolves(built):
    pages = html_files(built.site_dir)
    assert {page.relative_to(built.site_dir).parts[0] for page in pages} >= {*LANGS, "index.html"}
    # Pages link the PDF handouts and leaflets, which the fast tier does not print.
    assert [problem for problem in broken_links(built.site_dir, pages)
            if built.printed or not PRINTED_PDF.search(problem)] == []


def test_every_internal_link_and_anchor_of_the_offline_bundle_resolves(built, tmp_path):
    bundle = next(built.dist_dir.glob("calcinosis-guide-offline-*.zip"))
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(tmp_path)
    (folder,) = tmp_path.iterdir()
    pages = html_files(folder)
    assert len(pages) > 20
    assert [problem for problem in broken_links(folder, pages) if built.printed or not PRINTED_PDF.search(problem)] == []


def test_links_inside_pages_are_checked_for_their_anchor(tmp_path):
    (tmp_path / "a.html").write_text('<a href="b.html#here">ok</a><a href="b.html#gone">broken</a><a href="c.html">x</a>')
    (tmp_path / "b.html").write_text('<h2 id="here">Here</h2>')
    problems = broken_links(tmp_path, [tmp_path / "a.html"])
    assert problems == ["a.html: href='b.html#gone': no such anchor", "a.html: href='c.html': no such file"]


@pytest.mark.parametrize("lang", LANGS)
def test_every_doi_and_pmid_is_well_formed_and_a_link_on_the_references_page(built, lang):
    guide = load_guide(PROJECT / "content")
    slug = load_catalogue(PROJECT / "templates").pages["references"].slug[lang]
    anchors = parse(built.site_dir / lang / f"{slug}.html").anchors
    hrefs = {href for href, _ in anchors}
    for reference in guide.references.references:
        if reference.kind not in ("article", "chapter"):  # product information, trial registration: an address
            assert reference.url or reference.identifier, reference.id
            assert reference.url is None or reference.url in hrefs, reference.id
            continue
        assert reference.doi or reference.pmid or reference.pmcid, reference.id
        if reference.pmcid:
            assert f"https://pmc.ncbi.nlm.nih.gov/articles/{reference.pmcid}/" in hrefs, reference.id
        if reference.doi:
            assert re.fullmatch(r"10\.\d{4,9}/[^\s<>\"]+", reference.doi), reference.id
            assert f"https://doi.org/{reference.doi}" in hrefs, reference.id
        if reference.pmid:
            assert re.fullmatch(r"[1-9]\d{0,7}", str(reference.pmid)), reference.id
            assert f"https://pubmed.ncbi.nlm.nih.gov/{reference.pmid}/" in hrefs, reference.id


def test_no_live_markup_inside_the_content_of_any_page(built):
    for path in html_files(built.site_dir):
        page = parse(path)
        assert page.live_in_content == [], path
        assert page.event_handlers == [], path
        for attribute, value in page.links:
            scheme = urlsplit(value.strip()).scheme.lower()
            assert scheme in ("", "http", "https"), f"{path}: {attribute}={value!r}"
