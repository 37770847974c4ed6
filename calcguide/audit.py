"""Output check: the built pages and handouts, read back as a browser would, hold nothing hostile.

Validation refuses hostile input; this stage checks what was actually produced, so that a value escaped wrongly
by any template (ours or the theme's) or a gap in validation fails the build instead of reaching a reader. It
fails on an event-handler attribute, a meta refresh, a <base>, an embedded frame or object, a javascript:,
vbscript:, file: or data: address (data: images aside), a resource loaded from outside the site (a link to
another site is fine; an image, script, stylesheet or frame from one is not), and an inline script that is not
one of ours (calcguide/csp.py lists them). A handout may not hold any script, nor load anything but itself.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Callable, Iterable

from .search import INDEX, read_index
from .site import SiteBuildError

RUNNABLE_SCRIPT_TYPES = frozenset({"", "text/javascript", "application/javascript", "module"})
DATA_SCRIPT_TYPES = frozenset({"application/json"})
EMBEDDING = frozenset({"iframe", "frame", "frameset", "object", "embed", "applet", "portal", "base"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "poster", "data", "cite", "background", "ping",
                            "xlink:href", "manifest", "codebase", "longdesc", "lowsrc", "dynsrc", "srcset",
                            "imagesrcset"})
# <link rel=…> values whose href the browser fetches by itself.
LOADING_RELS = frozenset({"stylesheet", "icon", "preload", "prefetch", "modulepreload", "manifest", "prerender",
                          "apple-touch-icon", "dns-prefetch", "preconnect", "mask-icon", "shortcut"})
_IGNORED_IN_URLS = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_CSS_URL = re.compile(r"""url\(\s*['"]?\s*([^'")\s]*)|@import\s+['"]([^'"]+)""", re.IGNORECASE)


class OutputCheckError(SiteBuildError):
    """The built output holds something hostile; `findings` says what and where."""

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


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open_raw: Element | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {}, self.getpos()[0])
        for name, value in attrs:
            element.attributes.setdefault(name.lower(), value or "")
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


def read_elements(html: str) -> list[Element]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.elements


_TRIMMED = "".join(chr(code) for code in range(33))


def scheme_of(url: str) -> tuple[str, str]:
    """(scheme in lowercase or "", the URL as a browser reads it: tabs and line breaks dropped, ends trimmed)."""
    if ":" not in url:
        return "", url.strip(_TRIMMED) if url[:1] <= " " or url[-1:] <= " " else url
    cleaned = _IGNORED_IN_URLS.sub("", url).strip(_TRIMMED)
    match = _SCHEME.match(cleaned)
    return (match.group(1).lower() if match else ""), cleaned


def _outside(url: str) -> bool:
    scheme, cleaned = scheme_of(url)
    return scheme in ("http", "https", "ftp", "ws", "wss") or cleaned.startswith(("//", "\\\\", "/\\", "\\/"))


def _urls(name: str, value: str) -> list[str]:
    if name in ("srcset", "imagesrcset"):
        return [candidate.strip().split(" ")[0] for candidate in value.split(",") if candidate.strip()]
    return [value]


def check_html(html: str, allows_script: Callable[[str], bool], *, handout: bool = False) -> list[str]:
    """What is hostile in one HTML document, as `line N: …` messages (empty when nothing is)."""
    problems = []
    for element in read_elements(html):
        where, tag, attributes = f"line {element.line}", element.tag, element.attributes
        if tag in EMBEDDING:
            problems.append(f"{where}: a <{tag}> element (no page embeds or rebases anything)")
        if tag == "meta" and attributes.get("http-equiv", "").strip().lower() in ("refresh", "set-cookie"):
            problems.append(f"{where}: <meta http-equiv={attributes['http-equiv']}> (it would send readers elsewhere)")
        loads = tag != "a" and not (tag == "link" and not set(attributes.get("rel", "").lower().split()) & LOADING_RELS)
        for name, value in attributes.items():
            if name.startswith("on"):
                problems.append(f"{where}: event-handler attribute {name} on <{tag}>")
                continue
            if scheme_of(value)[0] in ("javascript", "vbscript"):
                problems.append(f"{where}: a {scheme_of(value)[0]}: address in {name} of <{tag}>")
                continue
            if name == "style" and any(_outside(url) or scheme_of(url)[0] in ("javascript", "file")
                                       for found in _CSS_URL.findall(value) for url in found if url):
                problems.append(f"{where}: a style attribute on <{tag}> loads from outside")
            if name not in URL_ATTRIBUTES:
                continue
            for url in _urls(name, value):
                scheme, cleaned = scheme_of(url)
                if scheme == "data" and not (tag in ("img", "link") and cleaned[5:].lower().startswith("image/")):
                    problems.append(f"{where}: a data: address in {name} of <{tag}>")
                elif scheme == "file" or (handout and loads and (scheme or cleaned.startswith("/") or ".." in cleaned)):
                    problems.append(f"{where}: <{tag} {name}> reaches a file outside the page: {url[:80]!r}")
                elif loads and _outside(url):
                    problems.append(f"{where}: <{tag} {name}> loads a resource from outside the site: {url[:80]!r}")
        if tag == "style" and any(_outside(url) or scheme_of(url)[0] == "file"
                                  for found in _CSS_URL.findall(element.text) for url in found if url):
            problems.append(f"{where}: a <style> element loads from outside")
        if tag == "script":
            problems.extend(_script_problems(element, allows_script, handout))
    return problems


def _script_problems(element: Element, allows_script: Callable[[str], bool], handout: bool) -> list[str]:
    where = f"line {element.line}"
    if handout:
        return [f"{where}: a <script> in a handout (the printer runs no script)"]
    kind = element.attributes.get("type", "").strip().lower()
    if "src" in element.attributes:
        if _outside(element.attributes["src"]):
            return [f"{where}: a script loaded from outside the site: {element.attributes['src'][:80]!r}"]
        return []
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


def check_site(folders: Iterable[Path], site_dir: Path, allows_script: Callable[[str], bool]) -> None:
    """Check every page under folders (and their search index, whose texts the search shows as HTML); raise
    OutputCheckError with every finding."""
    findings = []
    for folder in folders:
        pages = sorted(folder.rglob("*.html")) if folder.is_dir() else [folder]
        for page in pages:
            name = page.relative_to(site_dir.parent).as_posix()
            findings += [f"{name}: {problem}" for problem in check_html(page.read_text(encoding="utf-8"), allows_script)]
        for index in sorted(folder.rglob(INDEX.name)) if folder.is_dir() else []:
            name = index.relative_to(site_dir.parent).as_posix()
            for entry in read_index(index.parent.parent).get("docs", []):
                fragment = f"<p>{entry.get('title', '')}</p>{entry.get('text', '')}"
                findings += [f"{name} ({entry.get('location', '')}): {problem}"
                             for problem in check_html(fragment, lambda source: False)]
    if findings:
        raise OutputCheckError(findings)


def check_handout(html: str, name: str) -> None:
    """A handout page, before Chromium prints it: no script, nothing loaded but itself, only web links."""
    findings = [f"{name}: {problem}" for problem in check_html(html, lambda source: False, handout=True)]
    for element in read_elements(html):
        href = element.attributes.get("href")
        if element.tag == "a" and href is not None and scheme_of(href)[0] not in ("http", "https", "mailto", ""):
            findings.append(f"{name}: line {element.line}: a link that is not to the web: {href[:80]!r}")
    if findings:
        raise OutputCheckError(findings)
