"""Bilingual text and the rules every text of content/ obeys: ids, DOIs, citations, and no live markup."""
from __future__ import annotations

import re
from typing import Annotated, Iterator, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

from .markup import markup_problem

LANGS: tuple[str, ...] = ("en", "fr")
Lang = Literal["en", "fr"]

HTML_TAG = re.compile(r"<\s*[a-zA-Z/!?]")  # also Markdown autolinks <javascript:…>, which are tags to Markdown
HTML_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
# Python-Markdown's attr_list syntax: `{ onclick="…" }` after a word or a paragraph sets any HTML attribute.
ATTRIBUTE_LIST = re.compile(r"\{:?[ ]*[^}\n ][^}\n]*[ ]*\}")
SNIPPET = re.compile(r"-+8<-+")  # pymdownx.snippets would paste in another file
# `[@ref-id]` or `[@one; @two]` inside any text cites references by id.
CITATION = re.compile(r"\[@([a-z0-9][a-z0-9-]*(?:\s*;\s*@[a-z0-9][a-z0-9-]*)*)\]")


def no_live_markup(value: str) -> str:
    """Content is Markdown that becomes HTML: refuse whatever could put live markup in a page. Characters a
    reader cannot see are refused earlier, for every string of a file (source.py, hygiene.py)."""
    if HTML_TAG.search(value):
        raise ValueError("HTML (text between < and >) is not allowed in content; write Markdown instead "
                         "(**bold**, *italic*, [text](https://…)), and 'less than' or 'greater than' as words or ≤ ≥")
    if HTML_ENTITY.search(value):
        raise ValueError(f"HTML character codes such as {HTML_ENTITY.search(value).group(0)!r} are not allowed; "
                         "type the character itself")
    if ATTRIBUTE_LIST.search(value):
        raise ValueError("curly braces { … } are not allowed in content (they would set HTML attributes); "
                         "use round brackets ( … ) instead")
    if SNIPPET.search(value):
        raise ValueError("the marker --8<-- is not allowed in content (it would paste in another file)")
    # Citations are ours to turn into links; whatever else could define or link is judged as Markdown.
    if problem := markup_problem(CITATION.sub("", value)):
        raise ValueError(problem)
    return value


Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
# Every text of content/ ends up in a page, so every text is checked for live markup.
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(no_live_markup)]
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

    def __getitem__(self, lang: str) -> str:
        return getattr(self, lang)

    def without_citations(self) -> "Text":
        """The same text with its [@ref] citations taken out, for a page that lists its sources at the end
        (the patient leaflet)."""
        return Text(**{lang: UNCITED.sub("", getattr(self, lang)).strip() for lang in LANGS})


# A citation with the blanks before it, so that "text [@ref]." becomes "text.".
UNCITED = re.compile(r"[ \t]*" + CITATION.pattern)


class Words(Model):
    """Search words (synonyms, variants) per language; either list may be empty."""

    en: list[NonEmpty] = []
    fr: list[NonEmpty] = []

    def __getitem__(self, lang: str) -> list[str]:
        return getattr(self, lang)

