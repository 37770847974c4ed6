"""Output check: every published page and each handout, read back as a browser reads it, against the allow-list of
calcguide/policy.py.

Validation refuses bad input and the renderer lets content reach a page only as checked fragments; this stage
checks what was actually produced, whatever wrote it (our templates, the theme, a fragment), so that a gap
anywhere fails the build instead of reaching a reader. An element, an attribute, a link scheme or a meta
http-equiv that the policy does not name fails; so does a page that loads anything from outside the site (in an
attribute or in CSS, escapes such as `\\3a` and functions such as `image-set()` read as a browser reads them),
an id the theme uses (`__config`, `__search`…) inside the page's content or twice in a page, and an inline script
that is not one of ours (calcguide/csp.py lists them). A handout may hold no script and load nothing but itself.
"""
from __future__ import annotations

import functools

import json
import posixpath
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

import tinycss2

from .policy import (ATTRIBUTE_PREFIXES, CONTENT_ID, GLOBAL_ATTRIBUTES, HTTP_EQUIV, LINK_SCHEMES_OF_PAGES,
                     LOADING_RELS, PAGE_TAGS, REDIRECT_HTTP_EQUIV, TAG_ATTRIBUTES, redirect_content)
from .search import INDEX, read_index
from .site import SiteBuildError

if TYPE_CHECKING:
    from .verdicts import Verdicts

RUNNABLE_SCRIPT_TYPES = frozenset({"", "text/javascript", "application/javascript", "module"})
DATA_SCRIPT_TYPES = frozenset({"application/json"})
_IGNORED_IN_URLS = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_CONTENT_ID = re.compile(CONTENT_ID)
# CSS functions that fetch something: url() is a token of its own; these take addresses as strings.
_LOADING_FUNCTIONS = frozenset({"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade",
                                "-webkit-cross-fade", "element", "-moz-element"})


class OutputCheckError(SiteBuildError):
    """The built output holds something the policy does not allow; `findings` says what and where."""

    def __init__(self, findings: list[str]):
        super().__init__(f"the built output failed its safety check: {findings[0]}"
                         + (f" (and {len(findings) - 1} more)" if len(findings) > 1 else ""))
        self.findings = findings


@dataclass
class Element:
    tag: str
    attributes: dict[str, str]
    line: int
    text: str = ""  # for <script> and <style>: their source, exactly as written
    in_content: bool = False  # inside the page's content (what MkDocs made of our Markdown)
    duplicates: tuple[str, ...] = ()  # attribute names written twice (a browser keeps the first)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open_raw: Element | None = None
        self.in_content = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {}, self.getpos()[0], in_content=self.in_content)
        seen = []
        for name, value in attrs:
            name = name.lower()
            if name in element.attributes:
                seen.append(name)
            element.attributes.setdefault(name, value or "")
        element.duplicates = tuple(seen)
        if tag == "article" and "md-content__inner" in element.attributes.get("class", "").split():
            self.in_content = True
        self.elements.append(element)
        self.open_raw = element if tag in ("script", "style") else None

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.open_raw = None

    def handle_data(self, data: str) -> None:
        if self.open_raw is not None:
            self.open_raw.text += data

    def handle_endtag(self, tag: str) -> None:
        self.open_raw = None
        if tag == "article":
            self.in_content = False


# The audit, the server policy and the offline bundle each read every page of a build: each page is parsed once.
@functools.lru_cache(maxsize=256)
def read_elements(html: str) -> tuple[Element, ...]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return tuple(reader.elements)


_TRIMMED = "".join(chr(code) for code in range(33))


def scheme_of(url: str) -> tuple[str, str]:
    """(scheme in lowercase or "", the URL as a browser reads it: tabs and line breaks dropped, ends trimmed)."""
    cleaned = _IGNORED_IN_URLS.sub("", url).strip(_TRIMMED)
    match = _SCHEME.match(cleaned)
    return (match.group(1).lower() if match else ""), cleaned


def _leaves_the_site(url: str) -> bool:
    """Whether a browser would fetch url from elsewhere than the site: a scheme (data: images aside), or a host."""
    scheme, cleaned = scheme_of(url)
    if scheme:
        return not (scheme == "data" and cleaned[5:].lower().startswith("image/"))
    return cleaned.replace("\\", "/").startswith("//")


def css_loads(css: str, *, declarations: bool = False) -> list[str]:
    """Every address a stylesheet (or, with `declarations`, a style attribute) would fetch, read by a CSS parser:
    escapes decoded (`\\3a`), url() tokens, url/image-set/image()/cross-fade() functions, @import."""
    nodes = (tinycss2.parse_blocks_contents(css) if declarations
             else tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    found: list[str] = []
    pending = list(nodes)
    while pending:
        node = pending.pop()
        kind = getattr(node, "type", "")
        if kind == "url":
            found.append(node.value)
        elif kind == "function":
            if node.lower_name in _LOADING_FUNCTIONS:
                found += [token.value for token in node.arguments if token.type in ("string", "url")] or ["(an address)"]
            pending.extend(node.arguments)
        elif kind == "at-rule":
            if node.lower_at_keyword == "import":
                found += [token.value for token in node.prelude if token.type in ("string", "url")] or ["(an import)"]
            pending.extend(node.prelude or [])
            pending.extend(tinycss2.parse_blocks_contents(node.content) if node.content else [])
        elif kind in ("qualified-rule",):
            pending.extend(node.prelude)
            pending.extend(tinycss2.parse_blocks_contents(node.content))
        elif kind == "declaration":
            pending.extend(node.value)
        elif kind in ("() block", "[] block", "{} block"):
            pending.extend(node.content)
        elif kind == "error":
            found.append(f"(CSS the parser refuses: {node.message})")
    return found


def _allowed_attribute(tag: str, name: str) -> bool:
    return (name in GLOBAL_ATTRIBUTES or name in TAG_ATTRIBUTES.get(tag, ()) or name.startswith(ATTRIBUTE_PREFIXES))


def check_html(html: str, allows_script: Callable[[str], bool], *, handout: bool = False,
               refresh_to: str | None = None) -> list[str]:
    """What in one HTML document the policy does not allow, as `line N: …` messages (empty when nothing).
    `refresh_to`: on a former address of a page (calcguide/redirects.py), the one address its refresh may lead to."""
    problems = []
    ids: dict[str, int] = {}
    for element in read_elements(html):
        where, tag, attributes = f"line {element.line}", element.tag, element.attributes
        if tag not in PAGE_TAGS:
            problems.append(f"{where}: a <{tag}> element, which the output policy does not allow")
            continue
        for name in element.duplicates:
            problems.append(f"{where}: the attribute {name} written twice on <{tag}>")
        for name, value in attributes.items():
            if not _allowed_attribute(tag, name):
                problems.append(f"{where}: the attribute {name} on <{tag}>, which the output policy does not allow")
            elif name in ("href", "src"):
                problems.extend(_address_problems(where, element, name, value, handout))
        if tag == "meta" and "http-equiv" in attributes and attributes["http-equiv"].strip().lower() not in HTTP_EQUIV:
            if not (refresh_to is not None and attributes["http-equiv"] == REDIRECT_HTTP_EQUIV
                    and attributes.get("content") == redirect_content(refresh_to)):
                problems.append(f"{where}: <meta http-equiv={attributes['http-equiv']}> (it would send readers elsewhere)")
        if tag == "script" and refresh_to is not None:
            problems.append(f"{where}: a <script> on a redirect page (it holds none)")
            continue
        if "id" in attributes:
            ident = attributes["id"]
            # The theme's scripts find their elements by id: one of its ids twice is a page another script steers.
            if ident in ids and (ident.startswith("__") or not element.in_content):
                problems.append(f"{where}: the id {ident!r} is already used on line {ids[ident]}")
            ids.setdefault(ident, element.line)
            if element.in_content and not _CONTENT_ID.fullmatch(ident):
                problems.append(f"{where}: the id {ident!r} in the page's content (ids there are lowercase words; "
                                "'__…' belongs to the theme)")
        if tag == "style":
            problems += [f"{where}: a <style> element loads {url[:80]!r}" for url in css_loads(element.text)
                         if handout or _leaves_the_site(url)]
        if tag == "script":
            problems.extend(_script_problems(element, allows_script, handout))
    return problems


def _address_problems(where: str, element: Element, name: str, value: str, handout: bool) -> list[str]:
    tag, attributes = element.tag, element.attributes
    scheme, cleaned = scheme_of(value)
    loads = tag in ("script", "img") or (tag == "link" and set(attributes.get("rel", "").lower().split()) & LOADING_RELS)
    if loads:
        if handout and (scheme != "data" or tag != "img"):
            return [f"{where}: <{tag} {name}> in a handout loads {value[:80]!r} (a handout loads nothing but itself)"]
        if _leaves_the_site(value) or (scheme == "data" and tag != "img"):
            return [f"{where}: <{tag} {name}> loads a resource from outside the site: {value[:80]!r}"]
        return []
    if scheme and scheme not in LINK_SCHEMES_OF_PAGES:
        return [f"{where}: a {scheme}: address in {name} of <{tag}>"]
    if not scheme and cleaned.replace("\\", "/").startswith("//"):
        return [f"{where}: <{tag} {name}> leads to another site without a scheme: {value[:80]!r}"]
    if handout and tag == "a" and not scheme and not cleaned.startswith("#"):
        return [f"{where}: a link that is not to the web: {value[:80]!r}"]
    return []


def _script_problems(element: Element, allows_script: Callable[[str], bool], handout: bool) -> list[str]:
    where = f"line {element.line}"
    if handout:
        return [f"{where}: a <script> in a handout (the printer runs no script)"]
    kind = element.attributes.get("type", "").strip().lower()
    if "src" in element.attributes:
        return []  # its address is checked with the other attributes
    if kind in DATA_SCRIPT_TYPES:
        try:
            json.loads(element.text)
        except ValueError:
            return [f"{where}: a <script type={kind}> that is not JSON data"]
        return []
    if kind not in RUNNABLE_SCRIPT_TYPES:
        return [f"{where}: a <script type={kind!r}> (only the theme's own scripts and JSON data are allowed)"]
    if not allows_script(element.text):
        return [f"{where}: an inline script that our templates did not write: {element.text[:60]!r}"]
    return []


def inline_scripts(html: str) -> list[str]:
    """The source of every runnable inline script of a page."""
    return [element.text for element in read_elements(html) if element.tag == "script"
            and "src" not in element.attributes
            and element.attributes.get("type", "").strip().lower() in RUNNABLE_SCRIPT_TYPES]


def check_site(folders: Iterable[Path], site_dir: Path, allows_script: Callable[[str], bool],
               redirects: Mapping[str, str] | None = None, verdicts: "Verdicts | None" = None) -> None:
    """Check every page under folders (and their search index, whose texts the search shows as HTML); raise
    OutputCheckError with every finding. `redirects`: the former addresses of pages (their path in the site) and
    the relative address each may send readers to, a page of the site that is not itself a redirect. `verdicts`:
    what the check found in the same pages before (calcguide/verdicts.py), keyed with `allows_script`'s scripts."""
    folders, redirects = list(folders), redirects or {}
    findings = []
    for folder in folders:
        pages = sorted(folder.rglob("*.html")) if folder.is_dir() else [folder]
        for page in pages:
            name = page.relative_to(site_dir.parent).as_posix()
            refresh_to = redirects.get(page.relative_to(site_dir).as_posix())
            html = page.read_text(encoding="utf-8")
            problems = (verdicts.remember("check", html, lambda: check_html(html, allows_script, refresh_to=refresh_to),
                                          given=refresh_to) if verdicts
                        else check_html(html, allows_script, refresh_to=refresh_to))
            findings += [f"{name}: {problem}" for problem in problems]
    for path, target in redirects.items():
        landing = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
        if (scheme_of(target)[0] or target.startswith(("/", "\\")) or landing.startswith("..")
                or landing.split("/")[0] != path.split("/")[0] or landing in redirects
                or not (site_dir / landing).is_file()):
            findings.append(f"{path}: a redirect to {target!r}, which is not a page of the site")
    findings += _search_index_findings(folders, site_dir, verdicts)
    if findings:
        raise OutputCheckError(findings)


def check_search_index(folders: Iterable[Path], site_dir: Path) -> None:
    """Check the search index under folders alone (the preview checks the pages it rebuilt, and the index)."""
    if findings := _search_index_findings(folders, site_dir):
        raise OutputCheckError(findings)


def _search_index_findings(folders: Iterable[Path], site_dir: Path, verdicts: "Verdicts | None" = None) -> list[str]:
    """What the check finds in each section of the search index (`verdicts`: found before in the same texts)."""
    findings = []
    for folder in folders:
        for index in sorted(folder.rglob(INDEX.name)) if folder.is_dir() else []:
            name = index.relative_to(site_dir.parent).as_posix()
            for entry in read_index(index.parent.parent).get("docs", []):
                fragment = f"<p>{entry.get('title', '')}</p>{entry.get('text', '')}"
                problems = (verdicts.remember("index section", fragment, lambda: check_html(fragment, _no_script))
                            if verdicts else check_html(fragment, _no_script))
                findings += [f"{name} ({entry.get('location', '')}): {problem}" for problem in problems]
    return findings


def _no_script(source: str) -> bool:
    return False


def check_handout(html: str, name: str) -> None:
    """A handout page, before Chromium prints it: no script, nothing loaded but itself, only web links."""
    findings = [f"{name}: {problem}" for problem in check_html(html, lambda source: False, handout=True)]
    if findings:
        raise OutputCheckError(findings)
