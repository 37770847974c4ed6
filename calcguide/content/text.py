"""Bilingual text and the rules every text of content/ obeys: ids, DOIs, citations, and no live markup."""
from __future__ import annotations

import re
from typing import Annotated, Iterator, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from ..fragments import CITATION, CONTENT_MARKDOWN

LANGS: tuple[str, ...] = ("en", "fr")
Lang = Literal["en", "fr"]

# Not needed for safety (the renderer keeps them as text), but an editor who types them means something the guide
# cannot show: say so rather than print the markup.
HTML_TAG = re.compile(r"<\s*[a-zA-Z/!?]")  # also Markdown autolinks <https://…>
HTML_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")

# Bounds on the Markdown structure of one text, far above what a paragraph or a short list needs, so that no text
# makes the renderer slow (nested brackets and deep container prefixes cost Markdown parsers super-linear time).
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


def markup_problem(value: str, blocks: bool) -> str | None:
    """Why a content text cannot be shown as its editor meant, or None. What the text may hold is what
    calcguide/fragments.py renders; this only names what an editor wrote that it would show as plain text."""
    if HTML_TAG.search(value):
        return ("HTML (text between < and >) is not allowed in content; write Markdown instead (**bold**, *italic*, "
                "[text](https://…)), and 'less than' or 'greater than' as words or ≤ ≥")
    if HTML_ENTITY.search(value):
        return (f"HTML character codes such as {HTML_ENTITY.search(value).group(0)!r} are not allowed; type the "
                "character itself")
    if problem := structure_problem(value):
        return problem
    problems = CONTENT_MARKDOWN.problems(value, blocks)
    return problems[0] if problems else None


def one_paragraph(value: str) -> str:
    if problem := markup_problem(value, blocks=False):
        raise ValueError(problem)
    return value


def paragraphs(value: str) -> str:
    if problem := markup_problem(value, blocks=True):
        raise ValueError(problem)
    return value


Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
# A page's file name in one language: lowercase ascii words joined by single hyphens (traitement-local), what a
# reader types from a printed address without guessing an accent, a capital or a doubled hyphen.
AddressWords = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
# Where a page once was, inside the site: its language's folder, then its path (fr/traitements/topical-treatment.html).
FormerAddress = Annotated[str, StringConstraints(
    pattern=r"^(en|fr)/([a-z0-9]+(-[a-z0-9]+)*/)*[a-z0-9]+(-[a-z0-9]+)*\.html$", max_length=200)]
# A structured field (a reference's title or authors, a search word): plain text, shown exactly as written.
PlainText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# A content text: one paragraph of the guide's Markdown (calcguide/fragments.py).
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(one_paragraph)]
# A text that may hold several paragraphs and lists (section bodies).
Paragraphs = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(paragraphs)]
# The suffix may hold brackets (10.1016/s0022-3476(83)80706-9) but nothing that would break out of a URL.
Doi = Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/[^\s<>\"'{}|\\^`\[\]]+$")]
# A version names files (the offline zip): letters, digits, dots, plus and hyphens, never a path.
Version = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z][0-9A-Za-z.+-]{0,39}$")]


def cited_ids(text: str) -> Iterator[str]:
    for match in CITATION.finditer(text):
        for part in match.group(1).split(";"):
            yield part.strip().lstrip("@")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Text(Model):
    """One human-readable text in both languages; both are required and non-empty."""

    en: NonEmpty
    fr: NonEmpty
    # Why this text's numbers differ between the languages (a French-only regulatory note): the parity check
    # (parity.py) then accepts the difference, and the build lists it.
    numbers_differ: PlainText | None = None

    def __getitem__(self, lang: str) -> str:
        return getattr(self, lang)

    def without_citations(self) -> "Text":
        """The same text with its [@ref] citations taken out, for a page that lists its sources at the end
        (the patient leaflet)."""
        return Text(**{lang: UNCITED.sub("", getattr(self, lang)).strip() for lang in LANGS})


# A citation with the blanks before it, so that "text [@ref]." becomes "text.".
UNCITED = re.compile(r"[ \t]*" + CITATION.pattern)


class Prose(Text):
    """A text in both languages that may hold several paragraphs and lists (a section's body)."""

    en: Paragraphs
    fr: Paragraphs


class Words(Model):
    """Search words (synonyms, variants) per language; either list may be empty."""

    en: list[PlainText] = []
    fr: list[PlainText] = []

    def __getitem__(self, lang: str) -> list[str]:
        return getattr(self, lang)

