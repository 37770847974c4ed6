"""Former addresses of pages (content/moved.yml): each becomes a small page at its old place that sends the reader
on to the page standing there now (a printed handout's link keeps working, on the server and in the offline
bundle), and a 301 of the server (dist/nginx-redirects.conf, included by deploy/nginx.conf).

A redirect page holds no script: a `<meta http-equiv="refresh">` to one relative address of the same site, a
visible link to it, and `noindex`. The audit (calcguide/audit.py) allows the refresh on these pages only, and
only to the address planned here.
"""
from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .catalogue import Catalogue
from .content import CONTENT_FILES, LANGS, ContentError, Guide, SourceFile
from .deployment import PublishSettings
from .pages import Page
from .policy import redirect_content
from .typography import plain_text

MOVED_FILE = next(entry.name for entry in CONTENT_FILES if entry.field == "moved")
CHAPTER_FILE = next(entry.name for entry in CONTENT_FILES if entry.field == "focus")
NGINX_REDIRECTS_INCLUDE = "nginx-redirects.conf"
ERROR_PAGE = "404.html"  # what MkDocs writes at the top of each language's site, beside the pages


@dataclass(frozen=True)
class Redirect:
    """One former address in one language's site, and the page that stands there now."""

    lang: str
    former: str  # its path inside the language's site: traitements/topical-treatment.html
    target: str  # the page's path inside the same site: traitements/traitement-local.html
    title: str  # the page's title in that language

    @property
    def relative_target(self) -> str:
        """The target as written on the redirect page: relative, so that it works on any host and from file://."""
        return posixpath.relpath(self.target, posixpath.dirname(self.former) or ".")

    @property
    def site_path(self) -> str:
        """Where the redirect page is, inside the whole site: fr/traitements/topical-treatment.html."""
        return f"{self.lang}/{self.former}"


def plan_redirects(guide: Guide, pages: list[Page]) -> list[Redirect]:
    """A redirect per entry of moved.yml (checked by `moved_errors`)."""
    by_id = {page.page_id: page for page in pages}
    redirects = []
    for entry in guide.moved.moved:
        lang, former = entry.former.split("/", 1)
        page = by_id[entry.page]
        redirects.append(Redirect(lang, former, page.url(lang), page.titles[lang]))
    return redirects


def shared_address_errors(guide: Guide, pages: list[Page], content_dir: Path) -> list[ContentError]:
    """A chapter that names its own address (`slug:`) takes no other page's: two pages at one address would be
    one file written twice. Treatments are checked among themselves when loaded; this is the one address of the
    content that can meet a page of the catalogue."""
    if guide.focus.slug is None:
        return []
    chapter = next(page for page in pages if page.kind == "focus")
    errors = []
    for lang in LANGS:
        if taken := [page for page in pages if page is not chapter and page.url(lang) == chapter.url(lang)]:
            source = SourceFile(content_dir / CHAPTER_FILE, content_dir)
            source.read()  # for the line of the error: the validated guide no longer knows it
            errors.append(source.error(("slug", lang), (
                f"{lang}/{chapter.url(lang)} is already the address of the page {taken[0].page_id!r}; "
                "give the chapter other words")))
    return errors


def moved_errors(guide: Guide, pages: list[Page], content_dir: Path) -> list[ContentError]:
    """Each former address leads to a page that exists, is listed once, and is not the address of a page of this
    build (a redirect there would hide the page)."""
    if not guide.moved.moved:
        return []
    source = SourceFile(content_dir / MOVED_FILE, content_dir)
    source.read()  # for the lines of the errors: the validated guide no longer knows them
    by_id = {page.page_id: page for page in pages}
    live = {f"{lang}/{page.url(lang)}": f"the page {page.page_id!r}" for page in pages for lang in page.paths}
    live |= {f"{lang}/{ERROR_PAGE}": "the error page" for lang in LANGS}
    errors, seen = [], {}
    for position, entry in enumerate(guide.moved.moved):
        if entry.page not in by_id:
            known = ", ".join(sorted(by_id))
            errors.append(source.error(("moved", position, "to"), (
                f"there is no page {entry.page!r}; expected the id of a page of the guide: {known}")))
        if entry.former in live:
            errors.append(source.error(("moved", position, "from"), (
                f"{entry.former} is the address of {live[entry.former]} of this build; a former "
                "address may not hide a page: remove the entry, or give that page another address")))
        elif entry.former in seen:
            errors.append(source.error(("moved", position, "from"), (
                f"{entry.former} is listed twice; it already leads to {seen[entry.former]!r}")))
        seen.setdefault(entry.former, entry.page)
    return errors


def _environment(project: Path) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(project / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["typeset"] = plain_text
    return env


def write_redirect_pages(redirects: list[Redirect], langs: list[str], project: Path, site_dir: Path,
                         catalogue: Catalogue, settings: PublishSettings) -> None:
    """The redirect page of each former address of `langs`, in the built site (the bundle copies them)."""
    template = _environment(project).get_template("redirect.html.j2")
    for redirect in redirects:
        if redirect.lang not in langs:
            continue
        path = site_dir / redirect.lang / redirect.former
        path.parent.mkdir(parents=True, exist_ok=True)
        html = template.render(redirect=redirect, strings=catalogue, refresh=redirect_content(redirect.relative_target),
                               canonical=settings.page_url(redirect.lang, redirect.target))
        path.write_text(html, encoding="utf-8")


def write_nginx_redirects(redirects: list[Redirect], project: Path, dist_dir: Path) -> Path:
    """The server's permanent redirects, one per former address (an empty file when there is none)."""
    target = dist_dir / NGINX_REDIRECTS_INCLUDE
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(project / "templates"), autoescape=False,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    target.write_text(env.get_template("nginx-redirects.conf.j2").render(redirects=redirects), encoding="utf-8")
    return target
