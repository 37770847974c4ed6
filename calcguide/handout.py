"""PDF stage: the clinic handouts dist/handout-<lang>.pdf — the algorithm, the tiers at a glance and the key
references on two A4 pages per language, printed by headless Debian Chromium (through Playwright) from a
standalone page rendered by templates/handout.md.j2.

Chromium rather than WeasyPrint: it is the engine that lays out the site, so the chart prints exactly as the
algorithm page does, and it embeds the fonts it uses (TrueType subsets) with selectable text.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import jinja2
import markdown

from .content import LANGS, Guide, Text
from .render import CITED_WITH_SPACE, Catalogue, Page, Renderer
from .typography import content_text, markdown_extensions, plain_text

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

    @jinja2.pass_context
    def _markdown(self, context: jinja2.runtime.Context, text: Text | str) -> str:
        """A content text as inline HTML, without its citations (HTML, since the handout's table cells are not
        Markdown; it passes through the Markdown of the chart unchanged)."""
        value = content_text(text[context["lang"]] if isinstance(text, Text) else text, context["lang"])
        html = markdown.markdown(CITED_WITH_SPACE.sub("", value).strip())
        return html.removeprefix("<p>").removesuffix("</p>")

    def _relative(self, context: jinja2.runtime.Context, target: str) -> str:
        return context["site_url"] + target.removesuffix(".md") + ".html"

    def html(self, lang: str, project: Path) -> str:
        """The standalone handout page of one language."""
        site_url = f"{self.guide.site.site_url}{lang}/"
        body = self.env.get_template("handout.md.j2").render(lang=lang, page=self.page, site_url=site_url)
        stylesheet = "\n".join((project / path).read_text(encoding="utf-8") for path in STYLESHEETS)
        environment = jinja2.Environment(loader=jinja2.FileSystemLoader(project / "templates"), autoescape=False,
                                         undefined=jinja2.StrictUndefined)
        environment.filters["css_string"] = css_string
        title = plain_text(f"{self.guide.site.title[lang]} — {self.catalogue.ui['handout'][lang]}", lang)
        return environment.get_template("handout.html.j2").render(
            lang=lang, title=title, stylesheet=stylesheet, site=self.guide.site,
            ui={key: plain_text(text[lang], lang) for key, text in self.catalogue.ui.items()},
            short_title=plain_text(self.guide.site.short_title[lang], lang),
            body=markdown.markdown(body, extensions=[*MARKDOWN_EXTENSIONS, *markdown_extensions(lang)]))


def css_string(text: str) -> str:
    """Text for a CSS string literal inside a <style> element: every character but letters, digits and spaces
    as a CSS escape, so that nothing can close the string, the rule or the element."""
    # The space after each escape ends it (CSS reads it as part of the escape), so the next character stays itself.
    return "".join(char if char.isalnum() or char == " " else f"\\{ord(char):06x} " for char in text)


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
