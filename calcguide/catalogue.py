"""The interface catalogue, templates/strings.yml: every word of the site that is not clinical content, per
language, and each page's slug and title."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from .content import ContentErrors, Model, PageSlug, Text, load_document
from .content.parity import check_parity


class PageStrings(Model):
    slug: PageSlug  # the page's file name per language, the same form as a treatment's (never a path)
    title: Text


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


def load_catalogue(templates_dir: Path) -> Catalogue:
    catalogue, source, errors = load_document(templates_dir / "strings.yml", Catalogue, templates_dir.parent,
                                              templates_dir)
    if source.data is not None:
        errors = [*errors, *check_parity(source).errors]  # interface words state the same numbers too
    if errors:
        raise ContentErrors(errors)
    return catalogue


def date_in_words(catalogue: Catalogue, date: dt.date, lang: str) -> str:
    """A date as readers of the language write it, in words: 29 November 2026, 29 novembre 2026 (the pattern is an
    interface string, `date_format`)."""
    from .typography import written_date

    return written_date(date, lang, catalogue.ui["date_format"][lang])


def page_date_label(catalogue: Catalogue, has_editors: bool, lang: str) -> str:
    """What a page's date says it is: "Last reviewed" once the site names its editors; until then only "Checked
    against its sources on" (issue 23: a draft must not look reviewed)."""
    return catalogue.ui["last_reviewed" if has_editors else "checked_on"][lang]
