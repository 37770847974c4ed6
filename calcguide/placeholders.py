"""Pages get values, not source: how a content fragment reaches a page without being parsed again.

The render stage writes pages in Markdown for MkDocs. Where a template prints a content text, the Markdown holds
only a placeholder: a few private-use characters (which content may not contain, hygiene.py), inert to Markdown
and to every extension, so that no template, filter or neighbouring field can complete a construct that a text
started. The fragments themselves go to a file beside the Markdown. After MkDocs has turned a page's Markdown into
HTML, and before the search plugin indexes it (`on_page_content` comes before `on_page_context`), the
`FragmentSwap` plugin puts each fragment in place of its placeholder, for where it landed:

- alone in a paragraph `<p>`: the text's one paragraph keeps that `<p>` (and its attributes); a text of several
  blocks (paragraphs, lists) takes the paragraph's place;
- alone in a cell, a list item, a definition or a division: the fragment, blocks and all;
- inside a line: the fragment's inline form (several blocks become lines);
- inside a tag (an attribute value) and in the table of contents: its plain text, escaped.

The handout (calcguide/handout.py) swaps the same way after Python-Markdown. Each page's fragments are
numbered in the order the page first uses them.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from markdown.extensions.toc import slugify as markdown_slugify

from .fragments import Fragment, escape_attribute, escape_text

OPEN, CLOSE = "\ue000", "\ue001"
_DIGITS = "".join(chr(0xE010 + digit) for digit in range(10))
PLACEHOLDER = re.compile(OPEN + "([" + _DIGITS + "]+)" + CLOSE)
# A tag (its quoted attribute values may hold ">"), or a placeholder.
_TOKEN = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>|""" + PLACEHOLDER.pattern)
_START_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)\b")
# The end of a line's text so far is a colon, perhaps followed by closing or opening tags and spaces.
AFTER_COLON = re.compile(r":(?:\s|&nbsp;|\u00a0|\u202f|</?(?:strong|b|em|span)>)*\Z")
EMPHASIS = frozenset({"strong", "b", "em", "span"})  # a text alone in one still goes on after the colon before it
# Elements whose content may be blocks: a text of several paragraphs or a list may stand alone in them.
FLOW_CONTAINERS = frozenset({"td", "th", "li", "dd", "div", "section", "article", "aside", "blockquote", "details",
                             "figure", "footer", "header", "main"})


class SwapError(ValueError):
    """A placeholder that does not belong to the page, or survived the swap: a template put it where it cannot be."""


def placeholder(number: int) -> str:
    return OPEN + "".join(chr(0xE010 + int(digit)) for digit in str(number)) + CLOSE


def _number(match: re.Match) -> int:
    return int("".join(str(ord(character) - 0xE010) for character in match.group(1)))


@dataclass
class FragmentTable:
    """The fragments of one page, by number; the same fragment printed twice has one number."""

    fragments: list[Fragment] = field(default_factory=list)
    _numbers: dict[Fragment, int] = field(default_factory=dict)

    def add(self, fragment: Fragment) -> str:
        number = self._numbers.get(fragment)
        if number is None:
            number = self._numbers[fragment] = len(self.fragments)
            self.fragments.append(fragment)
        return placeholder(number)

    def to_json(self) -> list[list[Any]]:
        return [[fragment.html, fragment.inline, fragment.text, fragment.blocks, fragment.after_colon]
                for fragment in self.fragments]

    @classmethod
    def from_json(cls, data: list[list[Any]]) -> "FragmentTable":
        table = cls()
        for html, inline, text, blocks, *after_colon in data:
            table.add(Fragment(html, inline, text, blocks, *after_colon))
        return table

    def fragment(self, match: re.Match) -> Fragment:
        number = _number(match)
        if number >= len(self.fragments):
            raise SwapError(f"placeholder {number} does not belong to this page")
        return self.fragments[number]

    # --- swapping -----------------------------------------------------------------------------------------------

    def text_of(self, value: str) -> str:
        """value with each placeholder replaced by its fragment's plain text (for a heading's id, say)."""
        return PLACEHOLDER.sub(lambda match: self.fragment(match).text, value)

    def escaped_text_of(self, value: str) -> str:
        """value (HTML) with each placeholder replaced by its fragment's plain text, escaped."""
        return PLACEHOLDER.sub(lambda match: escape_text(self.fragment(match).text), value)

    def fill(self, markdown: str) -> str:
        """markdown with each placeholder replaced by its fragment's inline HTML: what a page says, before MkDocs
        (for tests and for reading a generated page)."""
        return PLACEHOLDER.sub(lambda match: self.fragment(match).inline, markdown)

    def swap(self, html: str) -> str:
        """html with every placeholder replaced by its fragment, as fits where it landed (see the module)."""
        if OPEN not in html:
            return html
        tokens = list(_TOKEN.finditer(html))
        out: list[str] = []
        position = index = 0
        while index < len(tokens):
            token = tokens[index]
            out.append(html[position:token.start()])
            position = token.end()
            text = token.group(0)
            if not text.startswith("<"):  # a placeholder inside a line
                fragment = self.fragment(token)
                # After a colon of the page ("Mécanisme :", "A + B :"), French goes on in lower
                # case (the fragment says how, and only where it may: calcguide/typography.py).
                after_colon = fragment.after_colon and AFTER_COLON.search(html, max(0, token.start() - 120), token.start())
                out.append(fragment.after_colon if after_colon else fragment.inline)
            elif (element := _START_TAG.match(text)) and index + 2 < len(tokens) and self._alone(html, tokens, index):
                fragment = self.fragment(tokens[index + 1])
                if (fragment.after_colon and element.group(1).lower() in EMPHASIS
                        and AFTER_COLON.search(html, max(0, token.start() - 120), token.start())):
                    fragment = replace(fragment, inline=fragment.after_colon)
                close = tokens[index + 2]
                out.append(self._alone_in(element.group(1).lower(), self._attributes(text), fragment, close.group(0)))
                position, index = close.end(), index + 2
            else:
                out.append(self._attributes(text))
            index += 1
        out.append(html[position:])
        swapped = "".join(out)
        if OPEN in swapped or CLOSE in swapped:
            raise SwapError("a placeholder survived: a template printed a content text where it cannot be swapped")
        return swapped

    @staticmethod
    def _alone(html: str, tokens: list[re.Match], index: int) -> bool:
        start, middle, end = tokens[index], tokens[index + 1], tokens[index + 2]
        name = _START_TAG.match(start.group(0)).group(1).lower()
        return (not middle.group(0).startswith("<") and end.group(0).lower() == f"</{name}>"
                and not html[start.end():middle.start()].strip() and not html[middle.end():end.start()].strip())

    def _attributes(self, tag: str) -> str:
        return PLACEHOLDER.sub(lambda match: escape_attribute(self.fragment(match).text), tag)

    @staticmethod
    def _alone_in(name: str, start: str, fragment: Fragment, close: str) -> str:
        if not fragment.blocks:
            return start + fragment.inline + close
        if name == "p":  # the text's blocks take the paragraph's place (its attributes go to a division)
            return fragment.html if start == "<p>" else "<div" + start[2:] + "\n" + fragment.html + "</div>"
        if name in FLOW_CONTAINERS:
            return start + "\n" + fragment.html + close
        return start + fragment.inline + close


def write_tables(path: Path, tables: dict[str, FragmentTable]) -> None:
    """The fragments of every page of a language (by the page's path in the docs folder), in one file."""
    text = json.dumps({page: table.to_json() for page, table in tables.items()}, ensure_ascii=False, sort_keys=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def read_tables(path: Path) -> dict[str, FragmentTable]:
    return {page: FragmentTable.from_json(data) for page, data in json.loads(path.read_text(encoding="utf-8")).items()}


def _toc_items(items: Iterable[Any]) -> Iterable[Any]:
    for item in items:
        yield item
        yield from _toc_items(item.children)


# The theme indents its pages for people reading the source; a reader's browser does not need it, and on the
# offline bundle's budget (issue 25) it weighs about 40 KB compressed. What keeps its spaces: pre, textarea, and
# scripts and styles (their text is hashed into the CSP as written).
_INDENTATION = re.compile(r"(<(pre|textarea|script|style)\b.*?</\2\s*>)|\n[ \t]+", re.S | re.I)


def without_indentation(html: str) -> str:
    """A page with the spaces that start its lines removed (a line break stays: the text flows the same)."""
    return _INDENTATION.sub(lambda match: match.group(1) or "\n", html)


def _content_id(slug: str) -> str:
    return re.sub(r"^[^a-z0-9]+", "", slug.lower()) or "section"


def fragment_swap_plugin(path: Path):  # noqa: ANN201 - an MkDocs plugin (mkdocs is imported only here)
    """The MkDocs plugin that swaps each page's placeholders for its fragments (see the module)."""
    from mkdocs.plugins import BasePlugin

    class FragmentSwap(BasePlugin):
        def __init__(self) -> None:
            super().__init__()
            self.tables = read_tables(path)
            self.current = FragmentTable()

        def on_config(self, config):  # noqa: ANN001, ANN201 - MkDocs' hook
            # A heading that shows a content title gets its id from the title, not from the placeholder; an id of
            # page content starts with a letter or digit ("__…" ids are the theme's, calcguide/policy.py).
            toc = config.mdx_configs.setdefault("toc", {})
            original = toc.get("slugify", markdown_slugify)
            toc["slugify"] = lambda value, separator: _content_id(original(self.current.text_of(value), separator))
            return config

        def on_page_markdown(self, markdown, page, config, files):  # noqa: ANN001, ANN201 - MkDocs' hook
            self.current = self.tables.get(page.file.src_uri, FragmentTable())
            return markdown

        def on_page_content(self, html, page, config, files):  # noqa: ANN001, ANN201 - MkDocs' hook
            for item in _toc_items(page.toc):
                item.title = self.current.escaped_text_of(item.title)
            return self.current.swap(html)

        def on_post_page(self, output, page, config):  # noqa: ANN001, ANN201 - MkDocs' hook
            return without_indentation(output)

    return FragmentSwap()
