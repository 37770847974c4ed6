"""What a content text becomes in a page, checked by rendering it with the site's own Markdown, not by guessing.

A text is Markdown that lands inside a page built by MkDocs. Regular expressions over the source miss forms that
Markdown accepts (a link definition inside a list item, on the next line…), so each text that could hold a link
is converted by Python-Markdown with the site's extensions and the result is inspected: no link or abbreviation
definitions (they act on the whole page), no image, no attribute that runs script or styles, and every link
leads to the web (http, https, mailto) or to an anchor of the page. A text is also checked as it would read
inside a list, a quote or an admonition of a page (its line prefixes removed), since a definition indented in
the text becomes one there.
"""
from __future__ import annotations

import re
import threading
from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown
from markdown.blockprocessors import ReferenceProcessor
from markdown.extensions.abbr import AbbrBlockprocessor

# The Markdown extensions of mkdocs.yml, without pymdownx.snippets (which reads files); a test keeps them equal.
EXTENSIONS = ["abbr", "admonition", "attr_list", "def_list", "md_in_html", "tables", "toc", "pymdownx.details",
              "pymdownx.superfences"]
WEB_SCHEMES = frozenset({"http", "https", "mailto"})
# Line prefixes of Markdown containers: quote, list item, definition, indentation.
_CONTAINER_PREFIX = re.compile(r"^(?:[ \t]*(?:>|[-*+](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)|:(?=[ \t]))[ \t]?)*[ \t]*",
                               re.MULTILINE)
# Admonition and details openers (`!!! note`, `??? tip "Title"`): their body is indented below them.
_BLOCK_OPENER = re.compile(r"^[ \t]*(?:!!!|\?\?\?\+?)[^\n]*$", re.MULTILINE)
# Browsers drop tabs and line breaks anywhere in a URL, and C0 controls and spaces at both ends.
_URL_IGNORED = re.compile(r"[\t\n\r]")


def link_problem(url: str, *, allow_relative: bool = False) -> str | None:
    """Why url may not be a link target of content (or of a page, with allow_relative), else None."""
    cleaned = _URL_IGNORED.sub("", url).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12"
                                              "\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", cleaned)
    if scheme:
        name = scheme.group(1).lower()
        if name not in WEB_SCHEMES:
            return f"link target {url!r} is not allowed; links must start with https:// or http://"
        if name != "mailto" and not urlsplit(cleaned).netloc:
            return f"link target {url!r} is not allowed: it has no host; write the full address, https://host/…"
        return None
    if cleaned.startswith(("//", "\\\\", "/\\", "\\/")):
        return f"link target {url!r} is not allowed: it leaves the site without a scheme; write https://…"
    if cleaned.startswith("#") or (allow_relative and cleaned):
        return None
    return f"link target {url!r} is not allowed; links must start with https:// or http://"


class _Elements(HTMLParser):
    """The start tags of an HTML fragment with their attributes (values with character references decoded)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def html_elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.tags


class _RecordingAbbreviations(AbbrBlockprocessor):
    """The abbr extension's own parser, noting that a definition was met (even one that removes an entry)."""

    met = False

    def run(self, parent, blocks) -> bool:  # noqa: ANN001 - Markdown's signature
        found = super().run(parent, blocks)
        self.met = self.met or found
        return found


class _Converter(threading.local):
    def __init__(self) -> None:
        self.md = markdown.Markdown(extensions=EXTENSIONS)
        original = self.md.parser.blockprocessors["abbr"]
        self.abbreviations = _RecordingAbbreviations(self.md.parser, original.abbrs)
        self.md.parser.blockprocessors.register(self.abbreviations, "abbr", 16)

    def convert(self, text: str) -> tuple[str, bool, bool]:
        """(html, holds a link definition, holds an abbreviation definition)"""
        self.md.reset()
        self.abbreviations.met = False
        html = self.md.convert(text)
        return html, bool(self.md.references), self.abbreviations.met


_converter = _Converter()


# Bounds on the Markdown structure of one text, far above what a paragraph or a short list needs, so that no
# text makes Markdown (here and in MkDocs) slow: nested brackets and deep container prefixes cost it
# super-linear time (a 5,000-character text of `![[` took 2 s).
MAX_BRACKETS = 60
MAX_LINES = 60
MAX_PREFIX = 16
_DEEP_PREFIX = re.compile(rf"^[ \t>*+:-]{{{MAX_PREFIX + 1},}}", re.MULTILINE)


def structure_problem(text: str) -> str | None:
    if text.count("[") > MAX_BRACKETS:
        return f"the text holds {text.count('[')} brackets [ ]; the limit is {MAX_BRACKETS} (split the text)"
    if text.count("\n") >= MAX_LINES:
        return f"the text has {text.count(chr(10)) + 1} lines; the limit is {MAX_LINES} (split it into sections)"
    if _DEEP_PREFIX.search(text):
        return (f"a line starts with more than {MAX_PREFIX} spaces, quote or list marks; content needs no blocks "
                "nested that deep")
    return None


def markup_problem(text: str) -> str | None:
    """Why text may not go into a page as Markdown, or None. Only texts with a bracket can define or link
    (raw HTML, autolinks and attribute lists are refused before this, by their characters)."""
    if problem := structure_problem(text):
        return problem
    if "[" not in text:
        return None
    flattened = _CONTAINER_PREFIX.sub("", _BLOCK_OPENER.sub("", text))
    if AbbrBlockprocessor.RE.search(flattened):
        return ("abbreviation definitions (*[abbr]: …) are not allowed in content: they change the abbreviations "
                "of the whole page; add the term to glossary.yml instead")
    if ReferenceProcessor.RE.search(flattened):
        return ("link definitions ([label]: address) are not allowed in content: they act on the whole page; "
                "write the link where it is used, [text](https://…)")
    for variant in dict.fromkeys((text, flattened)):
        html, defines_link, defines_abbreviation = _converter.convert(variant)
        if defines_link or defines_abbreviation:
            return "definitions ([label]: … or *[abbr]: …) are not allowed in content; write links inline"
        for tag, attributes in html_elements(html):
            if tag == "img":
                return "images are not allowed in content texts; describe the figure in words or link to it"
            for name, value in attributes:
                if name.startswith("on") or name == "style":
                    return f"the attribute {name!r} is not allowed in content"
                if name in ("href", "src") and (problem := link_problem(value or "")):
                    return problem
    return None
