"""The interface catalogue, templates/strings.yml: every word of the site that is not clinical content, per
language, and each page's slug and title."""
from __future__ import annotations

import datetime as dt
import typing
from pathlib import Path

from pydantic import field_validator

from .content import ContentErrors, Model, PageSlug, Text, load_document
from .content.loader import DocumentCache
from .content.parity import check_parity
from .content.references import PartialDate, SourceEvent


class PageStrings(Model):
    slug: PageSlug  # the page's file name per language, the same form as a treatment's (never a path)
    title: Text


class DatePhrases(Model):
    """The words before a date, by the date's precision (French says « le » before a day, « en » before a year)."""

    day: Text
    month: Text
    year: Text

    def __getitem__(self, precision: str) -> Text:
        return getattr(self, precision)


class Catalogue(Model):
    """Interface strings; every entry is a {en, fr} pair."""

    language_name: Text
    pages: dict[str, PageStrings]
    ui: dict[str, Text]
    placements: dict[str, Text]
    indications: dict[str, Text]
    serum: dict[str, Text]
    kinds: dict[str, Text]
    statuses: dict[str, Text]
    advice: dict[str, Text]  # a tier's advice (schema.Advice), the status badge of its treatments
    source_dates: dict[SourceEvent, DatePhrases]  # what a reference version's date dates (references.SourceEvent)

    @field_validator("source_dates")
    @classmethod
    def every_kind_of_date_has_words(cls, value: dict[str, DatePhrases]) -> dict[str, DatePhrases]:
        if missing := [event for event in typing.get_args(SourceEvent) if event not in value]:
            raise ValueError(f"no words for the dates of kind {', '.join(missing)}; add them (day, month, year)")
        return value


def load_catalogue(templates_dir: Path, cache: DocumentCache | None = None) -> Catalogue:
    catalogue, source, errors = load_document(templates_dir / "strings.yml", Catalogue, templates_dir.parent,
                                              templates_dir, cache)
    if source.data is not None:
        errors = [*errors, *check_parity(source).errors]  # interface words state the same numbers too
    if errors:
        raise ContentErrors(errors)
    return catalogue


DATE_FORMATS = {"day": "date_format", "month": "date_format_month", "year": "date_format_year"}


def date_in_words(catalogue: Catalogue, date: dt.date | PartialDate, lang: str) -> str:
    """A date as readers of the language write it, in words: 29 November 2026, 29 novembre 2026, or a date known
    to the month or the year only, at its precision (the patterns are interface strings, `date_format`…)."""
    from .typography import written_date

    if isinstance(date, PartialDate):
        return written_date(date.first_day(), lang, catalogue.ui[DATE_FORMATS[date.precision]][lang])
    return written_date(date, lang, catalogue.ui["date_format"][lang])


def source_date_in_words(catalogue: Catalogue, event: SourceEvent, date: PartialDate, lang: str) -> str:
    """One date of a reference's version with what it dates: "updated 29 January 2025", « mis à jour le 29 janvier
    2025 », « daté d’avril 2019 » (French elides « de » before a vowel)."""
    from .typography import elide

    return elide(f"{catalogue.source_dates[event][date.precision][lang]} {date_in_words(catalogue, date, lang)}", lang)


def page_date_label(catalogue: Catalogue, has_editors: bool, lang: str) -> str:
    """What a page's date says it is: "Last reviewed" once the site names its editors; until then only "Checked
    against its sources on" (issue 23: a draft must not look reviewed)."""
    return catalogue.ui["last_reviewed" if has_editors else "checked_on"][lang]
