"""The one door for content text: each text of content/ becomes an HTML fragment here, once, and nothing parses
it again.

A content text is a small Markdown subset, read by markdown-it-py with only the rules the guide uses: paragraphs,
lists (in the fields whose type is `Prose`), emphasis and strong emphasis, links to https, http, mailto or an
anchor of the page, hard line breaks, backslash escapes, citations `[@id]` and `[@one; @two]`, and a literal
between backticks (`4.5`: shown exactly as written, no typography). Everything else stays text: raw HTML,
headings, quotes, tables, attribute lists, definitions, footnotes, autolinks. Text nodes get the typography of
their language (calcguide/typography.py) and the glossary's abbreviations; markup and addresses never do.

A structured field (a title, a name, a label, a reference field) is plain text: `plain()` escapes it.

The output is written in the serialisation of the sanitiser that checks it (calcguide/policy.py): every fragment
passes nh3 unchanged, or the build stops. How a fragment reaches a page without being parsed again is
calcguide/placeholders.py.
"""
from __future__ import annotations

import functools

import re
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from .policy import check_fragment
from .typography import lower_first_word, typeset

# `[@ref-id]` or `[@one; @two]`: citations of references by id.
CITATION = re.compile(r"\[@([a-z0-9][a-z0-9-]*(?:[ \t]*;[ \t]*@[a-z0-9][a-z0-9-]*)*)\]")
WEB_SCHEMES = frozenset({"http", "https", "mailto"})
MAX_NESTING = 20  # lists inside lists: a few levels are plenty


def escape_text(text: str) -> str:
    """Text for HTML text content, escaped as the sanitiser writes it (so that a fragment passes it unchanged)."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\u00a0", "&nbsp;"))


def escape_attribute(text: str) -> str:
    """Text for a double-quoted HTML attribute value, escaped as the sanitiser writes it."""
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\u00a0", "&nbsp;"))


@dataclass(frozen=True)
class Citation:
    """What a citation shows: its number, where it links, and the reference as plain text (its tooltip)."""

    number: int
    href: str
    tooltip: str


@dataclass(frozen=True)
class Setting:
    """What a text's fragment depends on besides the text: its language, how a citation is shown (None: citations
    are left out, as on the handout), and the glossary's abbreviations of that language (abbreviation → term)."""

    lang: str
    cite: Callable[[str], Citation] | None = None
    abbreviations: dict[str, str] = field(default_factory=dict)
    proper_nouns: frozenset[str] = frozenset()  # words that keep their capital after a colon (French)


@dataclass(frozen=True)
class Fragment:
    """A content text, rendered: `html` (its blocks: paragraphs, lists), `inline` (the inside of its one paragraph;
    for several blocks, their insides one per line), `blocks` (whether it has several blocks), and `text` (plain
    text, without citations: for attributes, the page head and tooltips); in French, `after_colon` is `inline` as it
    reads after a colon the page puts before it ("Mécanisme : le médicament…"), empty when it is the same."""

    html: str
    inline: str
    text: str
    blocks: bool = False
    after_colon: str = ""  # French: `inline` with its first word in lower case, for after a generated colon


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[":
        return False
    match = CITATION.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        # The citation brings its own no-break space: the space typed before it goes.
        state.pending = state.pending.rstrip(" \t")
        token = state.push("citation", "", 0)
        token.meta = {"ids": [part.strip().lstrip("@") for part in match.group(1).split(";")]}
    state.pos = match.end()
    return True


def allowed_link(url: str) -> bool:
    """A link of content leads to the web (https, http with a host), to an e-mail address, or to an anchor of the
    page; never to a script, a file, data, or another site without a scheme (//host)."""
    if url.startswith("#"):
        return len(url) > 1
    parts = urlsplit(url)
    if parts.scheme == "mailto":
        return bool(parts.path)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class ContentMarkdown:
    """The restricted Markdown of content texts. One instance serves a whole build (single-threaded)."""

    def __init__(self) -> None:
        self.md = MarkdownIt("zero", {"maxNesting": MAX_NESTING, "html": False, "linkify": False})
        self.md.enable(["list", "emphasis", "link", "newline", "escape", "backticks", "image"])
        self.md.inline.ruler.before("link", "citation", _citation_rule)
        self.md.validateLink = self._validate_link
        self._refused_links: list[str] = []

    def _validate_link(self, url: str) -> bool:
        if allowed_link(url):
            return True
        self._refused_links.append(url)
        return False

    def parse(self, text: str) -> tuple[list[Token], list[str]]:
        """The tokens of text, and the link targets that were refused (left as text)."""
        self._refused_links = []
        tokens = self.md.parse(text)
        return tokens, self._refused_links

    # --- validation ---------------------------------------------------------------------------------------------

    def problems(self, text: str, blocks: bool) -> list[str]:
        """What in text the guide's Markdown does not allow, in an editor's words (empty when nothing)."""
        return list(self._problems(text, blocks))

    # The check depends on the text alone; a preview checks every text on every save, and few have changed.
    @functools.lru_cache(maxsize=16384)  # noqa: B019 - one instance for the whole process (CONTENT_MARKDOWN)
    def _problems(self, text: str, blocks: bool) -> tuple[str, ...]:
        tokens, refused = self.parse(text)
        found = [f"link target {url!r} is not allowed; links must start with https:// (or http://, mailto:, #)"
                 for url in refused]
        if any(child.type == "image" for token in tokens for child in token.children or []):
            found.append("images are not allowed in content texts; describe the figure in words or link to it")
        if not blocks:
            if any(token.type in ("bullet_list_open", "ordered_list_open") for token in tokens):
                found.append("this field is one paragraph: lists are for section bodies; write the items in a "
                             "sentence (or start the line with \\- if the dash is text)")
            elif sum(token.type == "paragraph_open" for token in tokens) > 1:
                found.append("this field is one paragraph: remove the blank line (paragraphs are for section "
                             "bodies)")
        return tuple(dict.fromkeys(found))

    # --- rendering ----------------------------------------------------------------------------------------------

    def render(self, text: str, setting: Setting) -> Fragment:
        tokens, _ = self.parse(text)
        html = "".join(self._block(token, setting) for token in tokens)
        paragraphs = [token for token in tokens if token.type == "inline"]
        blocks = not (len(tokens) == 3 and tokens[0].type == "paragraph_open")
        inline = "<br>\n".join(self._inline(token.children or [], setting) for token in paragraphs)
        plain = " ".join(self._plain(token.children or [], setting) for token in paragraphs)
        after_colon = lower_first_word(inline, setting.proper_nouns) if setting.lang == "fr" and not blocks else ""
        return Fragment(check_fragment(html), check_fragment(inline), plain, blocks,
                        check_fragment(after_colon) if after_colon else "")

    def _block(self, token: Token, setting: Setting) -> str:
        if token.type == "inline":
            return self._inline(token.children or [], setting)
        if token.type.startswith("paragraph_"):
            return "" if token.hidden else ("<p>" if token.nesting == 1 else "</p>\n")
        if token.type == "ordered_list_open" and token.attrGet("start") not in (None, 1):
            return f'<ol start="{int(token.attrGet("start"))}">\n'
        if token.type.endswith("_list_open"):
            return f"<{token.tag}>\n"
        if token.type.endswith("_list_close"):
            return f"</{token.tag}>\n"
        if token.type == "list_item_open":
            return "<li>"
        if token.type == "list_item_close":
            return "</li>\n"
        raise ValueError(f"content Markdown made an unexpected block {token.type!r}")

    def _inline(self, children: list[Token], setting: Setting) -> str:
        out = []
        for child in _grouped_citations(children):
            kind = child.type
            if kind == "text":
                out.append(self._text(child.content, setting))
            elif kind == "code_inline":  # the literal marker: exactly as written
                out.append(escape_text(child.content))
            elif kind == "softbreak":
                out.append("\n")
            elif kind == "hardbreak":
                out.append("<br>\n")
            elif kind in ("em_open", "strong_open"):
                out.append(f"<{child.tag}>")
            elif kind in ("em_close", "strong_close", "link_close"):
                out.append(f"</{child.tag}>")
            elif kind == "link_open":
                out.append(f'<a href="{escape_attribute(str(child.attrGet("href")))}">')
            elif kind == "citation":
                out.append(self._citation(child.meta["ids"], setting))
            elif kind == "image":  # refused by validation; never more than its words
                out.append(self._text(child.content, setting))
            else:
                raise ValueError(f"content Markdown made an unexpected element {kind!r}")
        return "".join(out)

    @staticmethod
    def _citation(ids: list[str], setting: Setting) -> str:
        """One bracket of citations, "[3, 7]": numbers in order, each once, kept on one line with their brackets
        (a no-break space before, no break inside: guide.css `.cg-cites`). A link's class says how many digits its
        number has, so that the stylesheet can let the brackets in over its tap target's empty sides evenly."""
        if setting.cite is None:
            return ""
        citations = sorted({(citation := setting.cite(ref_id)).number: citation for ref_id in ids}.values(),
                           key=lambda citation: citation.number)
        links = [f'<a class="cite cite--d{min(len(str(citation.number)), 3)}" '
                 f'data-cg-ref="{escape_attribute(citation.tooltip)}" '
                 f'href="{escape_attribute(citation.href)}">{citation.number}</a>' for citation in citations]
        return '&nbsp;<span class="cg-cites">[' + ", ".join(links) + "]</span>"

    def _text(self, text: str, setting: Setting) -> str:
        return abbreviated(typeset(text, setting.lang), setting)

    def _plain(self, children: list[Token], setting: Setting) -> str:
        words = []
        for child in children:
            if child.type == "text" or child.type == "image":
                words.append(typeset(child.content, setting.lang))
            elif child.type == "code_inline":
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
        return "".join(words)


def _grouped_citations(children: list[Token]) -> list[Token]:
    """The inline tokens with adjacent citations ("[@a] [@b]", only white space between them) made one, so that
    they read "[3, 7]" as citations of one place do."""
    grouped: list[Token] = []
    for child in children:
        if child.type == "citation":
            between = len(grouped)
            while between and grouped[between - 1].type in ("text", "softbreak") and not grouped[between - 1].content.strip():
                between -= 1
            if between and grouped[between - 1].type == "citation":
                previous = grouped[between - 1]
                merged = Token("citation", "", 0, meta={"ids": previous.meta["ids"] + child.meta["ids"]})
                grouped[between - 1:] = [merged]
                continue
        grouped.append(child)
    return grouped


_ABBREVIATION_PATTERNS: dict[tuple[str, ...], re.Pattern] = {}


def abbreviated(text: str, setting: Setting) -> str:
    """Typeset text, escaped for HTML, with each glossary abbreviation it holds marked up with its term."""
    if not setting.abbreviations:
        return escape_text(text)
    key = tuple(sorted(setting.abbreviations, key=lambda abbr: (-len(abbr), abbr)))
    pattern = _ABBREVIATION_PATTERNS.get(key)
    if pattern is None:
        pattern = _ABBREVIATION_PATTERNS[key] = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, key)) + r")(?!\w)")
    pieces, start = [], 0
    for match in pattern.finditer(text):
        term = setting.abbreviations[match.group(0)]
        pieces += [escape_text(text[start:match.start()]),
                   f'<abbr title="{escape_attribute(term)}">{escape_text(match.group(0))}</abbr>']
        start = match.end()
    return "".join([*pieces, escape_text(text[start:])])


def plain(text: str, setting: Setting) -> Fragment:
    """A structured field (a name, a title, a label, a reference field): plain text, escaped, with its
    abbreviations; typeset only if the caller typeset it (the `tr` filter does; a reference keeps the typography
    of its own language)."""
    html = abbreviated(text, setting)
    # A name or a title keeps its capital after a colon ("Voir : Bilan initial"): no `after_colon` form.
    return Fragment(f"<p>{html}</p>\n", check_fragment(html), text)


CONTENT_MARKDOWN = ContentMarkdown()
