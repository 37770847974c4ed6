"""The offline bundle: one zip that opens from file:// with navigation, language switch and search working, and
nothing fetched from outside — the hosted site/ neither."""
from __future__ import annotations

import html
import posixpath
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from browser import visit
from calcguide.content import LANGS
from calcguide.package import SERVER_ONLY
from calcguide.render import load_catalogue
from calcguide.search import INDEX, read_index
from conftest import PRINTED_PDF, PROJECT, is_redirect_page
from searching import search, watch_search

# The sites' budget (issue 25): 1024 KB, a USB stick or an intranet share carries it easily; it guards against a
# build that starts to ship what no page uses, or a second copy of what both languages share.
SITES_BUDGET = 1024 * 1024
SEARCHES = [(lang, query) for lang in LANGS for query in ("thiosulfate", "colchicine")]


def html_pages(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


class _Links(HTMLParser):
    """Every address a page links to or loads, with the tag that names it."""

    def __init__(self) -> None:
        super().__init__()
        self.addresses: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.addresses.append(value)


def local_targets(page: Path) -> list[tuple[str, Path]]:
    """The files a page's relative addresses lead to (query and fragment dropped)."""
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    targets = []
    for address in parser.addresses:
        parts = urlsplit(address)
        if parts.scheme or parts.netloc or not parts.path:
            continue  # outside links (DOI, PubMed…) are for the reader to follow, and same-page anchors
        targets.append((address, (page.parent / unquote(parts.path)).resolve()))
    return targets


def index_titles(site: Path) -> set[str]:
    """The titles of the documents in one language's search index, as the result list shows them."""
    return {_plain(doc["title"]) for doc in read_index(site)["docs"]}


def _plain(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", markup)).split())


# --- what is in the zip ----------------------------------------------------------------------------------------


def test_bundle_unpacks_to_one_folder_with_a_language_chooser_and_both_languages(bundle):
    chooser = bundle / "index.html"
    links = {address for address, _ in local_targets(chooser)}
    for lang in LANGS:
        assert f"{lang}/index.html" in links
        assert (bundle / lang / "index.html").is_file()


def test_bundle_carries_every_pdf_handout_of_the_build(built, bundle):
    handouts = sorted(path.name for path in built.dist_dir.glob("*.pdf"))
    assert handouts == sorted(path.name for path in bundle.glob("*.pdf"))


def test_bundle_without_handouts_stays_within_its_budget(bundle_zip):
    with zipfile.ZipFile(bundle_zip) as archive:
        sites = sum(info.compress_size for info in archive.infolist() if not info.filename.endswith(".pdf"))
    assert sites <= SITES_BUDGET


# What Material's search worker imports for one language: English is built into lunr; French needs its stemmer
# and the stemmer support. Written out here, not asked of the build, so that the test can disagree with it.
SEARCH_SCRIPTS = {"en": set(), "fr": {"min/lunr.fr.min.js", "min/lunr.stemmer.support.min.js"}}


def test_bundle_holds_no_source_map_and_no_search_script_of_another_language(bundle):
    assert not list(bundle.rglob("*.map"))
    for lang in LANGS:
        lunr = bundle / lang / "assets" / "javascripts" / "lunr"
        present = {path.relative_to(lunr).as_posix() for path in lunr.rglob("*") if path.is_file()}
        assert present == SEARCH_SCRIPTS[lang]


def test_bundle_holds_one_copy_of_each_languages_search_index(bundle):
    """One file, the script the search worker loads on a server and from file:// alike; no JSON twin."""
    for lang in LANGS:
        assert [path.relative_to(bundle / lang).as_posix() for path in (bundle / lang).rglob("search_index*")] == \
               [INDEX.as_posix()]


def test_bundle_holds_no_server_only_file(bundle):
    assert not [path for path in bundle.rglob("*") if path.name in SERVER_ONLY]


def test_bundle_holds_a_palette_only_when_configured_and_no_segmenter_of_a_language_we_do_not_publish(bundle):
    palette = bool(re.search(r"^\s+palette:", (PROJECT / "mkdocs.yml").read_text(encoding="utf-8"), re.MULTILINE))
    assert bool(list(bundle.glob("assets/stylesheets/palette.*.css"))) == palette
    for lang in LANGS:
        assert not list((bundle / lang).glob("assets/stylesheets/palette.*.css"))  # the one copy is at the top
        assert not list((bundle / lang).glob("assets/javascripts/lunr/*.js"))  # tinyseg (Japanese), wordcut (Thai)


def _loaded_files(bundle: Path, lang: str) -> set[Path]:
    return {target for page in html_pages(bundle / lang) for _, target in local_targets(page)
            if not target.suffix == ".html" and not target.suffix == ".pdf"}


def test_both_languages_load_one_copy_of_the_theme_and_of_the_guides_files(bundle):
    """The theme's scripts and stylesheets, ours, the icon and the reference exports: the same files for both
    languages, kept once at the bundle's top; no file that a page loads has a twin in the other language."""
    loaded = {lang: _loaded_files(bundle, lang) for lang in LANGS}
    shared = set.intersection(*loaded.values())
    names = {path.relative_to(bundle.resolve()).as_posix() for path in shared}
    assert {"assets/stylesheets/calcguide.css", "assets/javascripts/print.js"} <= names
    assert any(re.fullmatch(r"assets/javascripts/bundle\.\w+\.min\.js", name) for name in names), names
    assert any(re.fullmatch(r"assets/stylesheets/main\.\w+\.min\.css", name) for name in names), names
    digests = {lang: {path.read_bytes() for path in files - shared} for lang, files in loaded.items()}
    assert set.intersection(*digests.values()) == set()


def test_each_language_page_of_the_bundle_loads_the_file_shim_and_no_page_of_the_site_does(built, bundle):
    shim = re.compile(r'<script src="(?:\.\./)+assets/vendor/iframe-worker/shim\.js"></script></head>')
    for lang in LANGS:
        pages = [page for page in html_pages(bundle / lang) if not is_redirect_page(page)]  # they run no script
        assert pages and all(len(shim.findall(page.read_text(encoding="utf-8"))) == 1 for page in pages)
    assert (bundle / "assets/vendor/iframe-worker/shim.js").is_file()
    served = [page for page in html_pages(built.site_dir) if "iframe-worker" in page.read_text(encoding="utf-8")]
    assert served == []
    assert not list(built.site_dir.rglob("*iframe-worker*"))


def test_a_page_links_the_guides_stylesheets_as_one_file(built):
    for lang in LANGS:
        page = (built.site_dir / lang / "index.html").read_text(encoding="utf-8")
        ours = [href for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
                if "/assets/stylesheets/main." not in f"/{href}" and "/palette." not in href]
        assert ours == ["assets/stylesheets/calcguide.css"]
        assert not list((built.site_dir / lang / "assets/stylesheets").glob("guide.css"))


def test_every_address_in_a_bundle_page_leads_to_a_file_of_the_bundle(bundle, built):
    broken = {f"{page.relative_to(bundle)} → {address}"
              for page in html_pages(bundle) for address, target in local_targets(page)
              if not target.is_file() or bundle.resolve() not in target.parents}
    # Pages link the PDF handouts and leaflets, which the fast tier does not print.
    assert {link for link in broken if built.printed or not PRINTED_PDF.search(link)} == set()


def test_no_page_names_an_alternate_document_that_the_theme_would_look_up_in_a_sitemap(bundle):
    # Material's JavaScript fetches <href>/../sitemap.xml for every <link rel="alternate"> in the page.
    assert [page.name for page in html_pages(bundle) if 'rel="alternate"' in page.read_text(encoding="utf-8")] == []


# --- the bundle in a browser, from file:// with the network cut ------------------------------------------------


def test_bundle_holds_the_site_byte_for_byte_so_every_page_checked_in_the_site_is_the_one_readers_open(built, bundle):
    """tests/test_every_page.py opens every page of the bundle; this ties them to the site's own files. A page of
    the bundle differs from the site's by its Content-Security-Policy <meta> (a server sends it as a header), the
    file:// search shim, and the addresses of the files both languages share, which lead to the one copy at the
    top; read back from there, every address and every file is the site's."""
    policy = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*">')
    shim = re.compile(r'<script src="(?:\.\./)+assets/vendor/iframe-worker/shim\.js"></script>')
    site = {path.relative_to(built.site_dir).as_posix(): path.read_bytes() for path in built.site_dir.rglob("*")
            if path.is_file() and path.name not in SERVER_ONLY and path.suffix != ".pdf"}
    unpacked = {path.relative_to(bundle).as_posix(): path.read_bytes() for path in bundle.rglob("*")
                if path.is_file() and path.suffix != ".pdf"}
    shared = {name for name in unpacked if not name.endswith(".html") and name.split("/")[0] not in LANGS}
    shared.discard("assets/vendor/iframe-worker/shim.js")

    def resolved(name: str, page: str, shared: set[str]) -> str:
        """The page with each relative address replaced by the site file it leads to (a shared copy standing for
        the page's language's own)."""
        folder = Path(name).parent.as_posix()
        lang = name.split("/")[0] if name.split("/")[0] in LANGS else LANGS[0]

        def target(match: re.Match) -> str:
            path = posixpath.normpath(posixpath.join(folder, match.group(2)))
            return f'{match.group(1)}<{f"{lang}/{path}" if path in shared else path}>"'

        return re.sub(r'(\s(?:href|src)=")([^"?#:/][^"?#:]*)"', target, page)

    pages = [name for name in unpacked if name.endswith(".html")]
    assert pages and all(len(policy.findall(unpacked[name].decode())) == 1 for name in pages)
    rebuilt = {name: resolved(name, shim.sub("", policy.sub("", data.decode())), shared) if name.endswith(".html")
               else data for name, data in unpacked.items()
               if name not in shared and name != "assets/vendor/iframe-worker/shim.js"}
    rebuilt |= {f"{lang}/{name}": unpacked[name] for name in shared for lang in LANGS}
    assert rebuilt == {name: resolved(name, data.decode(), set()) if name.endswith(".html") else data
                       for name, data in site.items()}


@pytest.mark.browser
@pytest.mark.parametrize("lang, query", SEARCHES)
def test_search_from_file_finds_the_treatment_within_its_own_language_only(bundle, browser, guide, lang, query):
    expected = {treatment.name[lang] for treatment in guide.treatments if query in treatment.name[lang].lower()}
    assert expected, f"no treatment named after {query!r}"
    own_titles = index_titles(bundle / lang)
    other_titles = set().union(*(index_titles(bundle / other) for other in LANGS if other != lang)) - own_titles
    with visit(browser, offline=True) as session:
        watch_search(session.page)
        session.page.goto((bundle / lang / "index.html").as_uri())
        hrefs = search(session.page, query)
        titles = {_plain(text) for text in session.page.locator(".md-search-result__item > a h1").all_text_contents()}
    assert all(href.startswith((bundle / lang).as_uri() + "/") for href in hrefs), hrefs
    assert expected <= titles
    assert titles <= own_titles and not titles & other_titles
    assert session.outside_requests == [] and session.console_errors == []


def _treatment_page(bundle: Path, lang: str, name: str) -> Path:
    docs = read_index(bundle / lang)["docs"]
    [location] = [doc["location"] for doc in docs if _plain(doc["title"]) == name and "#" not in doc["location"]]
    return bundle / lang / location


def _heading(page) -> str:
    """The page's title as it reads, without the copy-link sign that follows it (toc.permalink)."""
    return page.locator("article h1").first.evaluate(
        "h => [...h.childNodes].filter(node => !node.classList?.contains('headerlink'))"
        ".map(node => node.textContent).join('').trim()")


@pytest.mark.browser
@pytest.mark.parametrize("start, target", [("en", "fr"), ("fr", "en")])
def test_language_selector_leads_from_file_to_the_same_treatment_in_the_other_language(bundle, browser, guide,
                                                                                        start, target):
    treatment = next(treatment for treatment in guide.treatments if treatment.id == "colchicine")
    origin, counterpart = (_treatment_page(bundle, lang, treatment.name[lang]) for lang in (start, target))
    with visit(browser, offline=True) as session:
        page = session.page
        page.goto(origin.as_uri())
        page.locator(".md-header .md-select button").hover()
        page.locator(f".md-select__link[hreflang={target}]").click()
        page.wait_for_url(counterpart.as_uri())
        assert page.locator("html").get_attribute("lang") == target
        assert _heading(page) == treatment.name[target]
    assert session.outside_requests == [] and session.console_errors == []


@pytest.mark.browser
def test_navigation_from_the_chooser_through_the_menu_works_from_file(bundle, browser):
    catalogue = load_catalogue(PROJECT / "templates")
    with visit(browser, offline=True) as session:
        page = session.page
        for lang in LANGS:
            page.goto((bundle / "index.html").as_uri())
            page.locator(f"a[hreflang={lang}]").click()
            page.wait_for_url((bundle / lang / "index.html").as_uri())
            title = catalogue.pages["treatments"].title[lang]
            page.locator(".md-sidebar--primary .md-nav__link", has_text=title).first.click()
            page.wait_for_url(re.compile(rf"^{re.escape((bundle / lang).as_uri())}/.+\.html$"))
            assert _heading(page) == title
    assert session.outside_requests == [] and session.console_errors == []
