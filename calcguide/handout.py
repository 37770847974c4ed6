"""PDF stage: the printed sheets of the guide, per language — the clinic handout dist/handout-<lang>.pdf (the
algorithm, the tiers at a glance and the key references on two A4 pages) and the patient leaflet
dist/leaflet-<lang>.pdf (plain words, at most two A4 pages at 12 pt or more) — each printed by headless Debian
Chromium (driven through its DevTools pipe, calcguide/cdp.py) from a standalone page rendered by its template
(`PRINTOUTS`), and only when that page, the fonts, Chromium or the print options changed (calcguide/pdfcache.py).

Chromium rather than WeasyPrint: it is the engine that lays out the site, so the chart prints exactly as the
algorithm page does, and it embeds the fonts it uses (TrueType subsets) with selectable text.
"""
from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import jinja2
import markdown
from markupsafe import Markup

from .audit import check_handout

from .cdp import BrowserError, Chromium
from .content import LANGS, Guide
from .deployment import PublishSettings
from .pdfcache import CHROMIUM, PdfCache
from .keptcache import KeptEntries
from .pdftags import FINISHING, PdfMetadata, finish
from .catalogue import Catalogue, date_in_words
from .pages import Page
from .render import Renderer, Trusted
from .templatecache import bytecode_cache
from .typography import markdown_extensions, plain_text

# As root on a build machine: no sandbox, and no background calls home (the handout needs no network).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


@dataclass(frozen=True)
class Printout:
    """A printed sheet: the template of its page, its stylesheets (inlined into the page) and its name, which
    is also its word in templates/strings.yml (`ui`) and its class on paper (`cg-<kind>`)."""

    kind: str
    template: str
    stylesheets: tuple[Path, ...]

    def file_name(self, lang: str) -> str:
        return f"{self.kind}-{lang}.pdf"


# The chart's styles are the site's (one source for both); the handout adds its page and table styles.
HANDOUT = Printout("handout", "handout.md.j2", (Path("docs/assets/stylesheets/algorithm.css"),
                                                Path("docs/assets/stylesheets/safety.css"),
                                                Path("templates/handout.css")))
LEAFLET = Printout("leaflet", "leaflet-print.md.j2", (Path("templates/leaflet.css"),))
PRINTOUTS = (HANDOUT, LEAFLET)
STYLESHEETS = HANDOUT.stylesheets
MARKDOWN_EXTENSIONS = ["attr_list", "md_in_html", "tables"]
URL_SAFE = ":/?#[]@!$&'*+,;=%-._~"
# Without a public address a link would lead to the file the handout was printed from: such links are unwrapped.
NO_ADDRESS = "cg-no-address:"
UNADDRESSED_LINK = re.compile(r'<a href="' + re.escape(NO_ADDRESS) + r'[^"]*">(.*?)</a>', re.DOTALL)
# DevTools' Page.printToPDF: A4 unless the page's @page rule says otherwise, no margins but the page's own,
# backgrounds (the chart's colours), a tagged PDF (structure for screen readers).
PRINT_OPTIONS = {"paperWidth": 8.27, "paperHeight": 11.7, "marginTop": 0, "marginBottom": 0, "marginLeft": 0,
                 "marginRight": 0, "printBackground": True, "preferCSSPageSize": True, "generateTaggedPDF": True}


class HandoutError(Exception):
    """Chromium could not print a handout."""


def handout_name(lang: str) -> str:
    return HANDOUT.file_name(lang)


def leaflet_name(lang: str) -> str:
    return LEAFLET.file_name(lang)


class HandoutRenderer(Renderer):
    """The site's renderer, changed for paper: citations are left out of the texts (the handout lists the key
    references and sends the reader to the guide online for every source), and links lead to the guide online."""

    def __init__(self, guide: Guide, catalogue: Catalogue, templates_dir: Path,
                 bytecode_cache: jinja2.BytecodeCache | None = None, settings: PublishSettings | None = None,
                 kept: KeptEntries[list] | None = None):
        super().__init__(guide, catalogue, templates_dir, bytecode_cache, settings, kept)
        self.printed_pages = {printout.kind: Page(printout.kind, printout.template,
                                                  {lang: f"{printout.kind}.md" for lang in LANGS},
                                                  {lang: guide.site.title[lang] for lang in LANGS})
                              for printout in PRINTOUTS}
        self.page = self.printed_pages[HANDOUT.kind]

    def href(self, page: Page, lang: str, target: str) -> str:
        # Percent-encoded: whatever the address holds, it stays one Markdown link target.
        return quote((self.settings.language_url(lang) or NO_ADDRESS) + target.removesuffix(".md") + ".html",
                     safe=URL_SAFE)

    def qr_code(self, lang: str) -> Markup | None:
        """The QR code of the online algorithm page as inline SVG (no file, no request), or None without an
        address. Error correction M: still read when a photocopy smudges part of it."""
        address = self.settings.page_url(lang, self.page_of_kind["algorithm"].url(lang))
        if address is None:
            return None
        import segno  # only a guide with a public address prints a QR code

        svg = segno.make(address, error="m", micro=False).svg_inline(omitsize=True, svgclass="cg-handout__qr-code",
                                                                     lineclass=None, border=4)
        return Trusted(svg)  # segno writes only path data and numbers: nothing of the address is in the markup

    def title(self, lang: str, printout: Printout = HANDOUT) -> str:
        return plain_text(f"{self.guide.site.title[lang]} — {self.catalogue.ui[printout.kind][lang]}", lang)

    def metadata(self, lang: str, printout: Printout = HANDOUT) -> PdfMetadata:
        """What the PDF says of itself (XMP): all of it is also in the page, so the cache key covers it."""
        reviewed = self.guide.leaflet.last_reviewed if printout is LEAFLET else self.guide.last_reviewed
        return PdfMetadata(self.title(lang, printout), lang, self.guide.site.version, reviewed)

    def html(self, lang: str, project: Path, printout: Printout = HANDOUT) -> str:
        """The standalone page of one language that Chromium prints (the handout unless told otherwise): its
        Markdown made into HTML, then the content fragments (without their citations) swapped in, as on the site
        (calcguide/placeholders.py)."""
        page = self.printed_pages[printout.kind]
        table = self.begin(page, lang, cite=False)
        body = self.env.get_template(printout.template).render(
            # paper: the chart's answers on its arrows are read from the PDF's tags (algorithm-chart.md.j2)
            lang=lang, page=page, paper=True, site_url=self.settings.language_url(lang),
            qr_code=self.qr_code(lang), leaflet_file=leaflet_name(lang),
            algorithm_url=self.settings.page_url(lang, self.page_of_kind["algorithm"].url(lang)),
            leaflet_url=self.settings.page_url(lang, self.page_of_kind["leaflet"].url(lang)))
        stylesheet = "\n".join((project / path).read_text(encoding="utf-8") for path in printout.stylesheets)
        # An HTML page: every value is escaped for HTML but the body (HTML made by Markdown from our templates,
        # with the content fragments swapped in, and checked again, calcguide/audit.py) and our own stylesheet.
        environment = jinja2.Environment(loader=jinja2.FileSystemLoader(project / "templates"), autoescape=True,
                                         undefined=jinja2.StrictUndefined, bytecode_cache=self.env.bytecode_cache)
        environment.filters["css_string"] = css_string
        html = environment.get_template("handout.html.j2").render(
            lang=lang, kind=printout.kind, title=self.title(lang, printout),
            stylesheet=Markup(stylesheet), site=self.guide.site, guide=self.guide,
            ui={key: plain_text(text[lang], lang) for key, text in self.catalogue.ui.items()},
            short_title=plain_text(self.guide.site.short_title[lang], lang),
            # The running head is one text run (an artifact, calcguide/pdftags.py): plain spaces.
            reviewed=date_in_words(self.catalogue, self.guide.last_reviewed, lang).replace("\u00a0", " "),
            body=Markup(table.swap(UNADDRESSED_LINK.sub(r"\1", markdown.markdown(
                body, extensions=[*MARKDOWN_EXTENSIONS, *markdown_extensions(lang)])))))
        check_handout(html, f"{printout.kind}-{lang}.html")
        return html


def css_string(text: str) -> str:
    """Text for a CSS string literal inside a <style> element: every character but letters, digits and spaces
    as a CSS escape, so that nothing can close the string, the rule or the element."""
    # The space after each escape ends it (CSS reads it as part of the escape), so the next character stays itself.
    return "".join(char if char.isalnum() or char == " " else f"\\{ord(char):06x} " for char in text)


def copy_handouts(dist_dir: Path, site_dir: Path) -> None:
    """Put the printed sheets beside the language chooser: pages link them (../handout-<lang>.pdf,
    ../leaflet-<lang>.pdf), on the server as in the offline bundle."""
    for printout in PRINTOUTS:
        for lang in LANGS:
            shutil.copyfile(dist_dir / printout.file_name(lang), site_dir / printout.file_name(lang))


def write_handouts(guide: Guide, catalogue: Catalogue, project: Path, work_dir: Path, dist_dir: Path,
                   settings: PublishSettings | None = None, kept: KeptEntries[list] | None = None,
                   keys: KeptEntries[str] | None = None) -> list[Path]:
    """Render the page of each printed sheet in each language and put its PDF into dist_dir, printed only when
    something that shapes it changed (calcguide/pdfcache.py): a cache hit starts no browser. Returns the PDFs'
    paths. `kept`: the content fragments kept between full builds (calcguide/render.py's kept_fragments). With
    `keys` (handout_keys), the pages' keys are remembered by what the pages are made of: a build whose inputs are
    those of the last one fetches its PDFs without making the pages again. The caller saves them (or not)."""
    settings = settings or PublishSettings()
    cache = _pdf_cache(work_dir)
    targets = {dist_dir / printout.file_name(lang): (printout, lang) for printout in PRINTOUTS for lang in LANGS}
    if keys is not None and all(keys.get(target.name) is not None and cache.fetch_key(keys.get(target.name), target)
                                for target in targets):
        return list(targets)
    renderer = HandoutRenderer(guide, catalogue, project / "templates", bytecode_cache(work_dir), settings, kept)
    pages_dir = work_dir / "handouts"
    pages_dir.mkdir(parents=True, exist_ok=True)
    sheets = [(target, renderer.html(lang, project, printout), renderer.metadata(lang, printout))
              for target, (printout, lang) in targets.items()]
    pages = {target: html for target, html, _ in sheets}
    to_print: dict[Path, Path] = {}
    metadata: dict[Path, PdfMetadata] = {}
    for target, html, described in sheets:
        if not cache.fetch(html, target):
            source = pages_dir / target.with_suffix(".html").name
            source.write_text(html, encoding="utf-8")
            to_print[source] = cache.path(html)
            metadata[source] = described
    if to_print:
        print_pages(to_print, metadata)
        for target, html in pages.items():
            if not cache.fetch(html, target):
                raise HandoutError(f"Chromium printed no {target.name}")
    if keys is not None:
        for target, html in pages.items():
            keys.put(target.name, cache.key(html))
    return list(pages)


HANDOUT_KEYS_FILE = "handout-keys.json"  # in the work folder


def handout_keys(work_dir: Path, pages_salt: str | None) -> KeptEntries[str]:
    """The printed pages' keys kept in the work folder, under `pages_salt` (what the pages are made of: the content
    documents the build read, to the byte, templates/, docs/, the build's code, packages and settings) and how Chromium
    prints (the PDF cache's setup: fonts, Chromium, its switches, the finishing)."""
    salt = None if pages_salt is None else hashlib.sha256(
        f"{pages_salt}\0{_pdf_cache(work_dir).setup}".encode()).hexdigest()
    return KeptEntries(work_dir / HANDOUT_KEYS_FILE, salt, lambda key: isinstance(key, str))


def _pdf_cache(work_dir: Path) -> PdfCache:
    return PdfCache(work_dir / "pdf-cache", CHROMIUM, CHROMIUM_ARGS, PRINT_OPTIONS, FINISHING)


def print_pages(printouts: dict[Path, Path], metadata: dict[Path, PdfMetadata] | None = None) -> None:
    """Print each local page to its PDF, in one headless Chromium started once; a page with metadata is finished
    for screen readers and catalogues (calcguide/pdftags.py: artifacts, link texts, XMP)."""
    try:
        with Chromium(CHROMIUM, CHROMIUM_ARGS) as browser:
            for source, target in printouts.items():
                partial = target.with_name(target.name + ".part")
                browser.print_pdf(source, partial, PRINT_OPTIONS)
                if metadata and source in metadata:
                    finish(partial, metadata[source])
                partial.replace(target)  # a cache entry is whole or absent
    except BrowserError as exc:
        raise HandoutError(f"Chromium could not print the handouts ({CHROMIUM}; `make site` installs it): "
                           f"{exc}") from None
