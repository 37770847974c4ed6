"""French typography, applied by the build so that editors never type a no-break space by hand.

French sets a narrow no-break space (U+202F) before ; ! ? and inside « », and a no-break space (U+00A0) before
a colon; figures group thousands with a narrow no-break space (5 218) and take a decimal comma (4,8 mois).
Punctuation is fixed on the text of every French page (a Markdown tree processor, so it also reaches what the
templates write around content and the search index built from the pages); figures are fixed in the French
content texts only, where the build knows they are prose (never in references, PMIDs, DOIs, ids or addresses).
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"
SPACES = " \t" + NBSP + NARROW_NBSP

# Never touched: addresses, DOIs, e-mail addresses (their colons, question marks and dots are not punctuation).
PROTECTED_WORD = re.compile(r"(?:[a-z][a-z0-9+.-]*://|mailto:|doi:|www\.)\S+|\S+@\S+\.\S+", re.IGNORECASE)
# In content Markdown also: citations [@id], link targets ](…), code spans, identifiers with figures.
PROTECTED_MARKDOWN = re.compile(PROTECTED_WORD.pattern + r"|\[@[^\]]*\]|\]\([^)]*\)|`[^`]*`|\b(?:PMID|PMC|NCT)\s*:?\s*\d+",
                                re.IGNORECASE)

# Prose punctuation is followed by a space, a closing sign or the end of the text ("2014;35(7):444" is not).
_FOLLOWS = r"(?=[\s)\]»,.;:!?]|$)"
# A word (or closing sign) then perhaps spaces, then the mark: the spaces become the right no-break space.
HIGH_PUNCTUATION = re.compile(r"(?:(?<=[^\s;:!?«(\[" + NBSP + NARROW_NBSP + r"])|^)[" + SPACES + r"]*([;!?]+)" + _FOLLOWS)
COLON = re.compile(r"(?:(?<=[^\s;:!?«(\[" + NBSP + NARROW_NBSP + r"])|^)[" + SPACES + r"]*:" + _FOLLOWS)
OPENING_QUOTE = re.compile(r"«[" + SPACES + r"]*")
CLOSING_QUOTE = re.compile(r"[" + SPACES + r"]*»")

# Figures glued to letters are names or codes (CO2, benchmark1edit12345), never grouped or given a comma.
DECIMAL_POINT = re.compile(r"(?<![\w.,])(\d+)\.(\d+)(?![\w]|\.\d)")
WHOLE_NUMBER = re.compile(r"(?<![\w.,-])\d{4,}(?![\w]|[,.]\d)")
# Four-digit numbers in this range are years, which French never groups.
YEARS = range(1800, 2100)


def _outside(protected: re.Pattern, text: str, change) -> str:  # noqa: ANN001 - a str -> str function
    """Apply `change` to the parts of text that `protected` does not match."""
    pieces, start = [], 0
    for match in protected.finditer(text):
        pieces += [change(text[start:match.start()]), match.group(0)]
        start = match.end()
    return "".join([*pieces, change(text[start:])])


def _punctuate(text: str) -> str:
    text = HIGH_PUNCTUATION.sub(lambda match: NARROW_NBSP + match.group(1), text)
    text = COLON.sub(NBSP + ":", text)
    text = OPENING_QUOTE.sub("«" + NARROW_NBSP, text)
    return CLOSING_QUOTE.sub(NARROW_NBSP + "»", text)


def french_punctuation(text: str) -> str:
    """No-break spaces before ; : ! ? and inside « », added where missing, never inside an address or DOI."""
    return _outside(PROTECTED_WORD, text, _punctuate)


def _group(match: re.Match) -> str:
    digits = match.group(0)
    if len(digits) == 4 and int(digits) in YEARS:
        return digits
    head = len(digits) % 3 or 3
    return NARROW_NBSP.join([digits[:head]] + [digits[i:i + 3] for i in range(head, len(digits), 3)])


PERCENT = re.compile(r"(?<=\d)[ \u00a0]?%")


def _figures(text: str) -> str:
    text = WHOLE_NUMBER.sub(_group, DECIMAL_POINT.sub(r"\1,\2", text))
    return PERCENT.sub(NARROW_NBSP + "%", text)


def french_figures(markdown_text: str) -> str:
    """Thousands grouped and decimal commas in a French content text (Markdown), outside citations, links, code
    and identifiers."""
    return _outside(PROTECTED_MARKDOWN, markdown_text, _figures)


def french(text: str) -> str:
    """A short French text that is not Markdown (a title, a disclaimer): figures and punctuation."""
    return french_punctuation(french_figures(text))


# Bibliographic references keep the typography of their own language (most titles are English), so their
# containers are left alone; the French texts inside them (notes) were typeset by the render filters.
FOREIGN_CLASSES = {"cg-reflist", "cg-ref"}


class _PunctuationTreeprocessor(Treeprocessor):
    SKIPPED = {"code", "pre", "kbd", "samp", "script", "style"}

    def run(self, root: etree.Element) -> None:
        self._walk(root)

    def _walk(self, element: etree.Element) -> None:
        if (element.tag in self.SKIPPED or not element.get("lang", "fr").startswith("fr")
                or FOREIGN_CLASSES & set(element.get("class", "").split())):
            return
        if element.text:
            element.text = french_punctuation(element.text)
        for child in element:
            self._walk(child)
            if child.tail:
                child.tail = french_punctuation(child.tail)


class _TableOfContentsTreeprocessor(Treeprocessor):
    """The table of contents keeps each heading's name with its white space collapsed to plain spaces; typeset
    the names again so that the sidebar reads like the page."""

    def run(self, root: etree.Element) -> None:
        self._typeset(getattr(self.md, "toc_tokens", []))

    def _typeset(self, tokens: list[dict]) -> None:
        for token in tokens:
            token["name"] = french_punctuation(token["name"])
            self._typeset(token.get("children", []))


class FrenchTypography(Extension):
    """Python-Markdown extension for French pages; MkDocs loads it as `calcguide.typography`."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        # After the inline patterns (20), which make the text nodes; before the table of contents (5), so that
        # the sidebar shows the same text as the page.
        md.treeprocessors.register(_PunctuationTreeprocessor(md), "calcguide_french_typography", 6)
        md.treeprocessors.register(_TableOfContentsTreeprocessor(md), "calcguide_french_toc", 4)


def makeExtension(**kwargs) -> FrenchTypography:  # noqa: N802 - the name Python-Markdown looks for
    return FrenchTypography(**kwargs)


# What each language's typography needs, for the stages that do not go through Markdown (titles, the theme's
# settings, the chooser) and for the Markdown they render. English needs nothing.
def content_text(markdown_text: str, lang: str) -> str:
    return french(markdown_text) if lang == "fr" else markdown_text


def plain_text(text: str, lang: str) -> str:
    return french(text) if lang == "fr" else text


def markdown_extensions(lang: str) -> list[str]:
    return ["calcguide.typography"] if lang == "fr" else []
