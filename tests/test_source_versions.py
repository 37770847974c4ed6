"""A reference's version (content/references.yml `version:`; calcguide/content/references.py SourceVersion): typed
dates at their precision, said in the page's language through the catalogue (templates/strings.yml
`source_dates`), kept in ISO form by the exports, and refused at file:line:column when written wrong."""
from __future__ import annotations

import re
import typing

import pytest
from lxml import html as lxml_html

from calcguide.catalogue import source_date_in_words
from calcguide.content import ContentErrors, load_guide
from calcguide.content.references import PartialDate, SourceEvent
from calcguide.export import bibtex, ris
from conftest import errors_of

NBSP = "\u00a0"


def words(catalogue, event: str, date, lang: str) -> str:
    return source_date_in_words(catalogue, event, PartialDate.model_validate(date), lang).replace(NBSP, " ")


def test_every_kind_of_date_has_its_words_in_both_languages(catalogue):
    assert set(catalogue.source_dates) == set(typing.get_args(SourceEvent))


@pytest.mark.parametrize(("date", "lang", "expected"), [
    ("2025-01-29", "en", "updated 29 January 2025"),
    ("2025-01-29", "fr", "mise à jour du 29 janvier 2025"),
    ("2025-01", "en", "updated January 2025"),
    ("2025-01", "fr", "mise à jour de janvier 2025"),
    (2018, "en", "updated in 2018"),
    (2018, "fr", "mise à jour de 2018"),
])
def test_a_version_date_is_said_in_the_page_language_at_its_precision(catalogue, date, lang, expected):
    assert words(catalogue, "updated", date, lang) == expected


def test_french_elides_de_before_a_month_starting_with_a_vowel(catalogue):
    assert words(catalogue, "dated", "2019-04", "fr") == "version d’avril 2019"
    assert words(catalogue, "dated", "2019-02", "fr") == "version de février 2019"


def test_french_writes_the_first_of_a_month_1er(catalogue):
    assert words(catalogue, "dated", "2021-09-01", "fr") == "version du 1er septembre 2021"
    assert words(catalogue, "dated", "2021-09-01", "en") == "dated 1 September 2021"


@pytest.mark.parametrize("written", ["2025-01-29", "2025-01", "2025"])
def test_a_partial_date_keeps_its_iso_form(written):
    assert PartialDate.model_validate(written).isoformat() == written


def version_of(content_copy, ref_id: str, new_version: str) -> tuple[int, str]:
    """Rewrite the version block of one reference of a content copy; its first line number and the file's text."""
    path = content_copy / "references.yml"
    text = path.read_text(encoding="utf-8")
    block = re.search(rf"  - id: {ref_id}\n(?:    .*\n)*?(    version:\n(?:      .*\n)+)", text)
    line = text[:block.start(1)].count("\n") + 1
    path.write_text(text[:block.start(1)] + new_version + text[block.end(1):], encoding="utf-8")
    return line, text


@pytest.mark.parametrize(("dates", "expected"), [
    ("{updated: 29/01/2025}", "expected a date written YYYY-MM-DD, or YYYY-MM for a month, or YYYY for a year"),
    ("{updated: 2025-02-30}", "is not a date of the calendar"),
    ("{updated: {year: 2025, day: 3}}", "a day needs its month"),  # the exports would have read 2025-03
    ("{modified: 2025-01-29}", "expected 'dated', 'published', 'registered', 'revised', 'updated', 'effective' or "
                               "'consulted'"),
])
def test_a_wrong_version_date_is_refused_at_its_line_with_what_is_expected(content_copy, dates, expected):
    line, _ = version_of(content_copy, "diltiazem-label-us", f"    version:\n      dates: {dates}\n")
    with pytest.raises(ContentErrors) as caught:
        load_guide(content_copy)
    printed = [error.for_editor() for error in caught.value.errors]
    located = [error for error in printed if re.match(rf"references\.yml:{line + 1}:\d+: ", error)]
    assert located and "reference › version › dates" in located[0] and expected in located[0], printed
    assert "[key]" not in located[0]  # a wrong key is named as the editor wrote it


def test_a_version_that_says_nothing_is_refused(content_copy):
    line, _ = version_of(content_copy, "diltiazem-label-us", "    version: {}\n")
    errors = errors_of(content_copy)
    assert any(error.startswith(f"references.yml:{line}:") and "a version needs its dates" in error
               for error in errors), errors


def test_the_exports_give_the_version_with_its_iso_dates_in_english(guide):
    label = guide.reference("diltiazem-label-us")
    assert "ET  - DailyMed; updated 2025-01-29" in ris([label]).splitlines()
    assert "version = {DailyMed; updated 2025-01-29}" in bibtex([label])
    letter = guide.reference("colchicine-ansm-2022")
    assert "ET  - dated 2022-06; published 2022-06-29; updated 2022-08-11" in ris([letter]).splitlines()


@pytest.mark.parametrize(("lang", "expected", "foreign"), [
    ("en", "Product information, DailyMed, updated 29 January 2025.", "mise à jour"),
    ("fr", "Information sur le produit, DailyMed, mise à jour du 29 janvier 2025.", "updated"),
])
def test_the_reference_list_says_a_label_version_in_the_page_language(built, catalogue, lang, expected, foreign):
    page = built.site_dir / lang / f"{catalogue.pages['references'].slug[lang]}.html"
    tree = lxml_html.fromstring(page.read_bytes())
    entry = tree.xpath('//span[@id="diltiazem-label-us"]/parent::*')[0].text_content().replace(NBSP, " ")
    assert expected in entry and foreign not in entry


@pytest.mark.parametrize(("lang", "expected"), [("en", "updated 21 July 2021"), ("fr", "mise à jour du 21 juillet 2021")])
def test_a_citation_tooltip_says_the_version_in_the_page_language(built, guide, lang, expected):
    tooltips = [link.get("data-cg-ref").replace(NBSP, " ")
                for path in (built.site_dir / lang).rglob("*.html") if "assets" not in path.parts
                for link in lxml_html.fromstring(path.read_bytes()).xpath("//a[@data-cg-ref]")
                if link.get("href").endswith("#crat-diltiazem")]
    assert tooltips and all(tooltip.endswith(expected + ".") for tooltip in tooltips)


def test_a_version_written_as_free_text_is_refused_with_the_form_to_write(content_copy):
    line, _ = version_of(content_copy, "diltiazem-label-us", "    version: DailyMed, updated January 29, 2025\n")
    errors = errors_of(content_copy)
    assert any(error.startswith(f"references.yml:{line}:") and "write the version as a block" in error
               and "dates: {updated: 2025-01-29}" in error for error in errors), errors


def test_a_catalogue_without_the_words_of_a_kind_of_date_is_refused_located(tmp_path):
    from calcguide.render import load_catalogue
    from conftest import PROJECT

    templates = tmp_path / "templates"
    templates.mkdir()
    strings = (PROJECT / "templates" / "strings.yml").read_text(encoding="utf-8")
    kept = [line for line in strings.splitlines() if not line.startswith("  consulted: {day:")]
    (templates / "strings.yml").write_text("\n".join(kept) + "\n", encoding="utf-8")
    with pytest.raises(ContentErrors) as caught:
        load_catalogue(templates)
    assert any(error.field == "source_dates" and "consulted" in error.message for error in caught.value.errors)
