"""The reference list's schema: articles, product information, reference resources and trial registrations."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from .text import Doi, Id, Model, NonEmpty, Text


class Reference(Model):
    """An article (DOI or PMID); product information (`kind: label`: a drug label or SmPC, named by its holder, its
    date or version, and a stable https address or identifier); or a reference resource kept by a public body
    (`kind: resource`: a teratology or lactation database, an agency's page), described like a label; or a trial
    registry record (`kind: registration`: its sponsor as holder, registry and date as version, its identifier); or a
    chapter of a book (`kind: chapter`, e.g. StatPearls: authors, `book`, `publisher`, and a DOI or PMID).
    Every reference says the language of its title (`language`: en, fr…), for the page's `lang` and the exports."""

    id: Id
    kind: Literal["article", "chapter", "label", "resource", "registration"] = "article"
    authors: NonEmpty | None = None  # required for an article or a chapter
    title: NonEmpty
    # The language the title is written in (ISO 639-1): a title in the other language than the page's is marked as
    # such for screen readers (WCAG 3.1.2), and reference managers get it (RIS LA, BibTeX langid).
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
    journal: NonEmpty | None = None  # required for an article
    book: NonEmpty | None = None  # chapter: the book's title, as cited ("StatPearls [Internet]")
    publisher: NonEmpty | None = None  # chapter: place and publisher, as cited ("Treasure Island (FL): StatPearls Publishing")
    year: Annotated[int, Field(ge=1900, le=2100)]
    volume: NonEmpty | None = None
    pages: NonEmpty | None = None
    doi: Doi | None = None
    pmid: Annotated[int, Field(ge=1, le=99_999_999)] | None = None
    # PubMed Central id, for an article whose DOI and PMID could not be confirmed in the records consulted.
    pmcid: Annotated[str, StringConstraints(pattern=r"^PMC[0-9]{1,10}$")] | None = None
    # label: the marketing authorisation holder; resource: the body that keeps it; registration: the sponsor
    holder: NonEmpty | None = None
    version: NonEmpty | None = None  # label: its date of revision or version, as printed on it
    url: Annotated[str, StringConstraints(pattern=r"^https://[^\s<>\"'{}|\\^`]+$")] | None = None
    identifier: NonEmpty | None = None  # label: e.g. DailyMed set id, EMA product number, CIS code (BDPM)
    checked: dt.date
    note: Text | None = None

    @field_validator("pmid", mode="before")
    @classmethod
    def pmid_is_digits(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError("PMID must be written as a number of 1 to 8 digits, without quotes")
        return value

    @model_validator(mode="after")
    def has_an_identifier(self) -> "Reference":
        if self.kind in ("label", "resource", "registration"):
            missing = [name for name in ("holder", "version") if getattr(self, name) is None]
            if self.url is None and self.identifier is None:
                missing.append("url (https://…) or identifier")
            if missing:
                raise ValueError(f"a reference of kind {self.kind} needs " + ", ".join(missing))
            return self
        required = ("authors", "book", "publisher") if self.kind == "chapter" else ("authors", "journal")
        missing = [name for name in required if getattr(self, name) is None]
        if missing:
            what = "an article" if self.kind == "article" else "a book chapter"
            raise ValueError(f"{missing[0]}: this field is required for {what} (for a drug label or SmPC, "
                             "write kind: label)")
        if self.doi is None and self.pmid is None and self.pmcid is None:
            raise ValueError("a reference needs a doi or a pmid (or both), or failing them a pmcid")
        return self


class References(Model):
    last_reviewed: dt.date  # of the list as a whole: no later than it, every `checked` date
    checked_with: Text
    references: list[Reference] = Field(min_length=1)
