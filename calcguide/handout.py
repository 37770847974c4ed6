"""PDF stage: the clinic handouts dist/handout-<lang>.pdf — the algorithm, the tiers at a glance and the key
references on two A4 pages per language, printed by headless Debian Chromium (through Playwright) from a
standalone page rendered by templates/handout.md.j2.

Chromium rather than WeasyPrint: it is the engine that lays out the site, so the chart prints exactly as the
algorithm page does, and it embeds the fonts it uses (TrueType subsets) with selectable text.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import jinja2
import markdown

from .content import LANGS, Guide
from .render import CITED_WITH_SPACE, Catalogue, Page, Renderer

CHROMIUM = "/usr/bin/chromium"
# As root on a build machine: no sandbox, and no background calls home (the handout needs no network).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]
# The chart's styles are the site's (one source for both); the handout adds its page and table styles.
STYLESHEETS = (Path("docs/assets/stylesheets/algorithm.css"), Path("templates/handout.css"))
MARKDOWN_EXTENSIONS = ["attr_list", "md_in_html", "tables"]


class HandoutError(Exception):
    """Chromium could not print a handout."""


def handout_name(lang: str) -> str:
    return f"handout-{lang}.pdf"


class HandoutRenderer(Renderer):
    """The site's renderer, changed for paper: citations are left out of the texts (the handout lists the key
    references and sends the reader to the guide online for every source), and links lead to the guide online."""

    def __init__(self, guide: Guide, catalogue: Catalogue, templates_dir: Path):
        super().__init__(guide, catalogue, templates_dir)
        self.page = Page("handout", "handout.md.j2", {lang: "handout.md" for lang in LANGS},
                         {lang: guide.site.title[lang] for lang in LANGS})

    def text(self, value: str, ref_link: Callable[[str], str]) -> str:
        """A content text as inline HTML, without its citations (HTML, since the handout's table cells are not
        Markdown; it passes through the Markdown of the chart unchanged)."""
        html = markdown.markdown(CITED_WITH_SPACE.sub("", value).strip())
        return html.removeprefix("<p>").removesuffix("</p>")

    def href(self, page: Page, lang: str, target: str) -> str:
        return f"{self.guide.site.site_url}{lang}/" + target.removesuffix(".md") + ".html"

    def html(self, lang: str, project: Path) -> str:
        """The standalone handout page of one language."""
        site_url = f"{self.guide.site.site_url}{lang}/"
        body = self.env.get_template("handout.md.j2").render(lang=lang, page=self.page, site_url=site_url)
        stylesheet = "\n".join((project / path).read_text(encoding="utf-8") for path in STYLESHEETS)
        page = jinja2.Environment(loader=jinja2.FileSystemLoader(project / "templates"), autoescape=False,
                                  undefined=jinja2.StrictUndefined).get_template("handout.html.j2")
        return page.render(lang=lang, title=f"{self.guide.site.title[lang]} — {self.catalogue.ui['handout'][lang]}",
                           stylesheet=stylesheet, body=markdown.markdown(body, extensions=MARKDOWN_EXTENSIONS))


def write_handouts(guide: Guide, catalogue: Catalogue, project: Path, work_dir: Path, dist_dir: Path) -> list[Path]:
    """Render and print one handout per language into dist_dir; return their paths."""
    renderer = HandoutRenderer(guide, catalogue, project / "templates")
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
