"""PDF stage: the clinic handouts dist/handout-<lang>.pdf — the algorithm, the tiers at a glance and the key
references on two A4 pages per language, printed by headless Debian Chromium (through Playwright) from a
standalone page rendered by templates/handout.md.j2.

Chromium rather than WeasyPrint: it is the engine that lays out the site, so the chart prints exactly as the
algorithm page does, and it embeds the fonts it uses (TrueType subsets) with selectable text.
"""
from __future__ import annotations

import re
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jinja2
import markdown
import segno
from markupsafe import Markup

from .content import LANGS, Guide, Text
from .publish import PublishSettings
from .render import CITED_WITH_SPACE, Catalogue, Page, Renderer

CHROMIUM = "/usr/bin/chromium"
# As root on a build machine: no sandbox, and no background calls home (the handout needs no network).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
# The chart's styles are the site's (one source for both); the handout adds its page and table styles.
STYLESHEETS = (Path("docs/assets/stylesheets/algorithm.css"), Path("templates/handout.css"))
MARKDOWN_EXTENSIONS = ["attr_list", "md_in_html", "tables"]
# Without a public address a link would lead to the file the handout was printed from: such links are unwrapped.
NO_ADDRESS = "cg-no-address:"
UNADDRESSED_LINK = re.compile(r'<a href="' + re.escape(NO_ADDRESS) + r'[^"]*">(.*?)</a>', re.DOTALL)


class HandoutError(Exception):
    """Chromium could not print a handout."""


def handout_name(lang: str) -> str:
    return f"handout-{lang}.pdf"


class HandoutRenderer(Renderer):
    """The site's renderer, changed for paper: citations are left out of the texts (the handout lists the key
    references and sends the reader to the guide online for every source), and links lead to the guide online."""

    def __init__(self, guide: Guide, catalogue: Catalogue, templates_dir: Path,
                 settings: PublishSettings | None = None):
        super().__init__(guide, catalogue, templates_dir)
        self.settings = settings or PublishSettings()
        self.page = Page("handout", "handout.md.j2", {lang: "handout.md" for lang in LANGS},
                         {lang: guide.site.title[lang] for lang in LANGS})

    @jinja2.pass_context
    def _markdown(self, context: jinja2.runtime.Context, text: Text | str) -> str:
        """A content text as inline HTML, without its citations (HTML, since the handout's table cells are not
        Markdown; it passes through the Markdown of the chart unchanged)."""
        value = text[context["lang"]] if isinstance(text, Text) else text
        html = markdown.markdown(CITED_WITH_SPACE.sub("", value).strip())
        return html.removeprefix("<p>").removesuffix("</p>")

    def _relative(self, context: jinja2.runtime.Context, target: str) -> str:
        return (context["site_url"] or NO_ADDRESS) + target.removesuffix(".md") + ".html"

    def qr_code(self, lang: str) -> Markup | None:
        """The QR code of the online algorithm page as inline SVG (no file, no request), or None without an
        address. Error correction M: still read when a photocopy smudges part of it."""
        address = self.settings.page_url(lang, self.page_of_kind["algorithm"].url(lang))
        if address is None:
            return None
        svg = segno.make(address, error="m", micro=False).svg_inline(omitsize=True, svgclass="cg-handout__qr-code",
                                                                     lineclass=None, border=4)
        return Markup(svg)  # segno writes only path data and numbers: nothing of the address is in the markup

    def html(self, lang: str, project: Path) -> str:
        """The standalone handout page of one language."""
        body = self.env.get_template("handout.md.j2").render(
            lang=lang, page=self.page, site_url=self.settings.language_url(lang), qr_code=self.qr_code(lang),
            algorithm_url=self.settings.page_url(lang, self.page_of_kind["algorithm"].url(lang)))
        stylesheet = "\n".join((project / path).read_text(encoding="utf-8") for path in STYLESHEETS)
        page = jinja2.Environment(loader=jinja2.FileSystemLoader(project / "templates"), autoescape=False,
                                  undefined=jinja2.StrictUndefined).get_template("handout.html.j2")
        return page.render(lang=lang, title=f"{self.guide.site.title[lang]} — {self.catalogue.ui['handout'][lang]}",
                           stylesheet=stylesheet,
                           body=UNADDRESSED_LINK.sub(r"\1", markdown.markdown(body, extensions=MARKDOWN_EXTENSIONS)))


def copy_handouts(dist_dir: Path, site_dir: Path) -> None:
    """Put the handouts beside the language chooser: every page links them (../handout-<lang>.pdf), on the
    server as in the offline bundle."""
    for lang in LANGS:
        shutil.copyfile(dist_dir / handout_name(lang), site_dir / handout_name(lang))


def write_handouts(guide: Guide, catalogue: Catalogue, project: Path, work_dir: Path, dist_dir: Path,
                   settings: PublishSettings | None = None) -> list[Path]:
    """Render and print one handout per language into dist_dir; return their paths."""
    renderer = HandoutRenderer(guide, catalogue, project / "templates", settings)
    pages_dir = work_dir / "handouts"
    pages_dir.mkdir(parents=True, exist_ok=True)
    printouts: dict[Path, Path] = {}
    for lang in LANGS:
        source = pages_dir / f"handout-{lang}.html"
        source.write_text(renderer.html(lang, project), encoding="utf-8")
        printouts[source] = dist_dir / handout_name(lang)
    # In a thread of its own: Playwright's sync API refuses to start in a thread that already runs an event loop,
    # as a program that drives a browser itself and calls the build does (the test session).
    with ThreadPoolExecutor(max_workers=1) as executor:
        executor.submit(_print_to_pdf, printouts).result()
    return list(printouts.values())


def _print_to_pdf(printouts: dict[Path, Path]) -> None:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context()
                # The handout is self-contained; anything it would fetch is a mistake, and never a request out.
                context.route("**/*", lambda route, request: route.continue_()
                              if request.url.startswith(("file:", "data:")) else route.abort())
                page = context.new_page()
                for source, target in printouts.items():
                    page.goto(source.as_uri())
                    page.pdf(path=str(target), format="A4", print_background=True, prefer_css_page_size=True,
                             tagged=True)
            finally:
                browser.close()
    except PlaywrightError as exc:
        raise HandoutError(f"Chromium could not print the handouts ({CHROMIUM}; `make site` installs it): "
                           f"{exc}") from None
