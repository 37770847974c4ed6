"""The reference list's schema: articles, product information, reference resources and trial registrations."""
from __future__ import annotations

import datetime as dt
import re
import typing
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from .text import Doi, Id, Model, PlainText, Text

# What a date of a label, a resource or a registry record dates; the words are templates/strings.yml `source_dates`.
SourceEvent = Literal["dated", "published", "registered", "revised", "updated", "effective", "consulted"]
Precision = Literal["day", "month", "year"]
_PARTIAL_ISO = re.compile(r"(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{2})(?:-(?P<day>[0-9]{2}))?)?")


class PartialDate(Model):
    """A date as precise as its source gives it, written in ISO form: a day (2025-01-29), a month (2025-01) or a
    year (2025). Pages say it in words at its precision; the exports keep the ISO form."""

    year: Annotated[int, Field(ge=1900, le=2100)]
    month: Annotated[int, Field(ge=1, le=12)] | None = None
    day: Annotated[int, Field(ge=1, le=31)] | None = None

    @model_validator(mode="before")
    @classmethod
    def from_iso(cls, value: Any) -> Any:
        if isinstance(value, dict):  # already its parts
            return value
        if isinstance(value, dt.date):  # YAML reads 2025-01-29 as a date
            return {"year": value.year, "month": value.month, "day": value.day}
        if isinstance(value, int) and not isinstance(value, bool):  # and 2025 as a number
            return {"year": value}
        match = _PARTIAL_ISO.fullmatch(value) if isinstance(value, str) else None
        if match is None:
            raise ValueError("expected a date written YYYY-MM-DD, or YYYY-MM for a month, or YYYY for a year "
                             "(2025-01-29, 2025-01, 2025)")
        return {name: int(part) for name, part in match.groupdict().items() if part is not None}

    @model_validator(mode="after")
    def is_in_the_calendar(self) -> "PartialDate":
        if self.day is not None and self.month is None:  # the exports would read the day as a month
            raise ValueError("a day needs its month; expected a date written YYYY-MM-DD (2025-01-29)")
        if self.day is not None:
            try:
                self.first_day()
            except ValueError:
                raise ValueError(f"{self.isoformat()} is not a date of the calendar; expected a real date") from None
        return self

    @property
    def precision(self) -> Precision:
        return "day" if self.day is not None else "month" if self.month is not None else "year"

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def isoformat(self) -> str:
        return "-".join([f"{self.year:04d}", *(f"{part:02d}" for part in (self.month, self.day) if part is not None)])


class SourceVersion(Model):
    """Which version of a label, a resource or a registry record was read: where (`source`, a name as it is
    written: DailyMed, ClinicalTrials.gov), what it is (`detail`, in both languages) and its dates, each with what it
    dates (`dates: {updated: 2025-01-29}`). A page says it in its own language ("updated 29 January 2025",
    « mis à jour le 29 janvier 2025 »); the exports give the ISO dates."""

    source: PlainText | None = None
    detail: Text | None = None
    dates: dict[SourceEvent, PartialDate] = {}

    @model_validator(mode="after")
    def says_something(self) -> "SourceVersion":
        if self.source is None and self.detail is None and not self.dates:
            raise ValueError("a version needs its dates (dates: {updated: 2025-01-29}), a source or a detail")
        return self


class Reference(Model):
    """An article (DOI or PMID); product information (`kind: label`: a drug label or SmPC, named by its holder, its
    date or version, and a stable https address or identifier); or a reference resource kept by a public body
    (`kind: resource`: a teratology or lactation database, an agency's page), described like a label; or a trial
    registry record (`kind: registration`: its sponsor as holder, registry and date as version, its identifier); or a
    chapter of a book (`kind: chapter`, e.g. StatPearls: authors, `book`, `publisher`, and a DOI or PMID).
    Every reference says the language of its title (`language`: en, fr…), for the page's `lang` and the exports."""

    id: Id
    kind: Literal["article", "chapter", "label", "resource", "registration"] = "article"
    authors: PlainText | None = None  # required for an article or a chapter
    title: PlainText
    # The language the title is written in (ISO 639-1): a title in the other language than the page's is marked as
    # such for screen readers (WCAG 3.1.2), and reference managers get it (RIS LA, BibTeX langid).
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
    journal: PlainText | None = None  # required for an article
    book: PlainText | None = None  # chapter: the book's title, as cited ("StatPearls [Internet]")
    publisher: PlainText | None = None  # chapter: place and publisher, as cited ("Treasure Island (FL): StatPearls Publishing")
    year: Annotated[int, Field(ge=1900, le=2100)]
    volume: PlainText | None = None
    pages: PlainText | None = None
    doi: Doi | None = None
    pmid: Annotated[int, Field(ge=1, le=99_999_999)] | None = None
    # PubMed Central id, for an article whose DOI and PMID could not be confirmed in the records consulted.
    pmcid: Annotated[str, StringConstraints(pattern=r"^PMC[0-9]{1,10}$")] | None = None
    # label: the marketing authorisation holder; resource: the body that keeps it; registration: the sponsor
    holder: PlainText | None = None
    version: SourceVersion | None = None  # label, resource, registration: which version was read
    url: Annotated[str, StringConstraints(pattern=r"^https://[^\s<>\"'{}|\\^`]+$")] | None = None
    identifier: PlainText | None = None  # label: e.g. DailyMed set id, EMA product number, CIS code (BDPM)
    checked: dt.date
    note: Text | None = None

    @field_validator("pmid", mode="before")
    @classmethod
    def pmid_is_digits(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError("PMID must be written as a number of 1 to 8 digits, without quotes")
        return value

    @field_validator("version", mode="before")
    @classmethod
    def version_is_a_block(cls, value: Any) -> Any:
        if isinstance(value, (str, int, dt.date)):  # the free text of before: one language for both pages
            raise ValueError("write the version as a block, e.g. `version: {source: DailyMed, dates: {updated: "
                             "2025-01-29}}`: each date in ISO form (2025-01-29, 2025-01 or 2025) after what it dates ("
                             + ", ".join(typing.get_args(SourceEvent)) + "), and any other words as detail: {en: …, "
                             "fr: …}")
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
