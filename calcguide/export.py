"""The reference list of content/references.yml as files for reference managers: RIS (Zotero, EndNote,
Mendeley) and BibTeX (biblatex, biber, pandoc). Data formats rather than pages, so written here rather than by a
template: each format has its own escaping rules, applied field by field.

What each kind of reference becomes (tests/test_reference_managers.py imports both files with rispy,
bibtexparser, biber and pandoc and compares every entry with content/references.yml):

| kind                          | RIS  | BibTeX    | who                                                      |
| ----------------------------- | ---- | --------- | -------------------------------------------------------- |
| article                       | JOUR | @article  | the authors, as persons                                  |
| chapter (StatPearls)          | CHAP | @inbook   | the authors; the book and its publisher                  |
| label, resource, registration | ELEC | @online   | the holder as the publishing body (RIS PB, BibTeX        |
| … with no web address         | GEN  | @manual   | organization), never as a person                         |

Identifiers are kept: the DOI (DO, doi); a PMID as RIS AN with DB PubMed and its PubMed address, and as BibTeX
eprint with eprinttype pubmed; a PMCID as its PubMed Central address; a registry record by its own address.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from babel import Locale

from .content import Guide, Reference

# <the guide's file stem>-references.ris and .bib (content/site.yml names the guide; `export_files`).
RIS_SUFFIX = "-references.ris"
BIBTEX_SUFFIX = "-references.bib"

VANCOUVER_NAME = re.compile(r"^(?P<family>.+?)\s+(?P<initials>[A-Z]{1,4})$")  # "de Surname A", "Surname ABC"
VOLUME_ISSUE = re.compile(r"^(?P<volume>[^()]+?)\s*\((?P<issue>[^()]+)\)$")  # "35(7)"
PAGE_RANGE = re.compile(r"^(?P<first>[^-]+)-(?P<last>[^-]+)$")
PLACE_AND_PUBLISHER = re.compile(r"^(?P<place>[^:]+):\s*(?P<publisher>.+)$")  # "Treasure Island (FL): StatPearls …"
ET_AL = "et al."
# Vancouver separates authors with commas, and a group author from the persons with a semicolon.
AUTHOR_SEPARATOR = re.compile(r"[,;]")
WEB_KINDS = ("label", "resource", "registration")


@dataclass(frozen=True)
class Person:
    family: str
    initials: str = ""  # empty for a group ("… Registry investigators")


def authors_of(reference: Reference) -> tuple[list[Person], bool]:
    """The named authors in Vancouver order, and whether the list was cut short ("et al."). A list is split at its
    commas (and the semicolon before a group), which Vancouver puts between authors only: "Surname and Other A"
    is one person. Product information, a
    resource or a trial record has no personal author (its holder is a body: see `holder`)."""
    if reference.kind in WEB_KINDS or not reference.authors or reference.authors.startswith("["):
        return [], reference.kind not in WEB_KINDS and bool(reference.authors)
    people, truncated = [], False
    for part in (part.strip() for part in AUTHOR_SEPARATOR.split(reference.authors)):
        if part.rstrip(".") == ET_AL.rstrip("."):
            truncated = True
        elif match := VANCOUVER_NAME.match(part):
            people.append(Person(match["family"], match["initials"]))
        elif part:
            people.append(Person(part))
    return people, truncated


def holder(reference: Reference) -> str | None:
    """The body that issues a label, keeps a resource or sponsors a trial: a corporate name, one whole string."""
    return reference.holder if reference.kind in WEB_KINDS else None


def edition(reference: Reference) -> str | None:
    """The version read, for a reference manager: its source, its detail in English (the exports' language of
    record) and each date in ISO form with what it dates ("DailyMed; updated 2025-01-29")."""
    version = reference.version
    if version is None:
        return None
    dates = [f"{event} {date.isoformat()}" for event, date in version.dates.items()]
    return "; ".join(part for part in (version.source, version.detail and version.detail.en, *dates) if part)


def volume_and_issue(reference: Reference) -> tuple[str | None, str | None]:
    if reference.volume and (match := VOLUME_ISSUE.match(reference.volume)):
        return match["volume"], match["issue"]
    return reference.volume, None


def page_range(reference: Reference) -> tuple[str | None, str | None]:
    if reference.pages and (match := PAGE_RANGE.match(reference.pages)):
        return match["first"], match["last"]
    return reference.pages, None


def place_and_publisher(reference: Reference) -> tuple[str | None, str | None]:
    if reference.publisher and (match := PLACE_AND_PUBLISHER.match(reference.publisher)):
        return match["place"].strip(), match["publisher"].strip()
    return None, reference.publisher


def pubmed_url(reference: Reference) -> str | None:
    return f"https://pubmed.ncbi.nlm.nih.gov/{reference.pmid}/" if reference.pmid else None


def pmc_url(reference: Reference) -> str | None:
    return f"https://pmc.ncbi.nlm.nih.gov/articles/{reference.pmcid}/" if reference.pmcid else None


def language_name(code: str) -> str:
    """biblatex's langid is a babel/polyglossia language name: en → english, fr → french."""
    return Locale.parse(code).english_name.lower()


# --- RIS -----------------------------------------------------------------------------------------------------

RIS_TYPES = {"article": "JOUR", "chapter": "CHAP"}


def ris_type(reference: Reference) -> str:
    """A label, resource or registry record is a web document when it has an address, else a generic one."""
    return RIS_TYPES.get(reference.kind) or ("ELEC" if reference.url else "GEN")


def _ris_value(value: object) -> str:
    return " ".join(str(value).split())  # one line per tag: a line break would start a bogus tag


def ris(references: Iterable[Reference]) -> str:
    lines: list[str] = []

    def tag(name: str, value: object) -> None:
        if value is not None and str(value).strip():
            lines.append(f"{name}  - {_ris_value(value)}")

    for reference in references:
        people, _ = authors_of(reference)
        volume, issue = volume_and_issue(reference)
        first, last = page_range(reference)
        place, publisher = place_and_publisher(reference)
        tag("TY", ris_type(reference))
        tag("ID", reference.id)
        for person in people:  # one author a line: a name is never split again
            # A group ends with a comma: "surname, no given name", so that no reader splits it into given and family.
            tag("AU", f"{person.family}, {person.initials}" if person.initials else f"{person.family},")
        tag("TI", reference.title)
        tag("T2", reference.journal or reference.book)  # the journal (as abbreviated in Vancouver) or the book
        tag("PY", reference.year)
        tag("VL", volume)
        tag("IS", issue)
        tag("SP", first)
        tag("EP", last)
        tag("CY", place)
        tag("PB", publisher or holder(reference))  # a body, never a person (RIS has no corporate author tag)
        tag("LA", reference.language)
        tag("DO", reference.doi)
        tag("AN", reference.pmid)  # the accession number in the database DB names
        tag("DB", reference.pmid and "PubMed")
        for url in (reference.url, pubmed_url(reference), pmc_url(reference)):
            tag("UR", url)
        tag("ET", edition(reference))  # a label's revision date or version, a registry record's date
        tag("M1", reference.identifier)
        tag("Y2", reference.url and reference.checked.isoformat())  # the day the address was last read
        lines.append("ER  - ")
        lines.append("")
    return "\r\n".join(lines)  # the RIS specification ends lines with CR LF


# --- BibTeX --------------------------------------------------------------------------------------------------

BIBTEX_SPECIAL = re.compile(r"([\\{}&%$#_^~])")
BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}
# BibTeX splits a name list at the word "and" (any case) and a name at its commas: such a name is braced whole.
NAME_SEPARATOR = re.compile(r"\band\b|,", re.IGNORECASE)
BIBTEX_TYPES = {"article": "article", "chapter": "inbook"}


def bibtex_type(reference: Reference) -> str:
    # biblatex's @online needs an address (its data model: url, doi or eprint); without one, @manual ("technical or
    # other documentation"), which pandoc types too (it leaves @misc untyped).
    return BIBTEX_TYPES.get(reference.kind) or ("online" if reference.url else "manual")


def _tex(value: object) -> str:
    """A value safe inside a braced BibTeX field (UTF-8 is kept: biber, pandoc and Zotero read it)."""
    return BIBTEX_SPECIAL.sub(lambda match: BIBTEX_ESCAPES.get(match[1], "\\" + match[1]), " ".join(str(value).split()))


def _name_part(text: str) -> str:
    escaped = _tex(text)
    return f"{{{escaped}}}" if NAME_SEPARATOR.search(text) else escaped


def bibtex_name(person: Person) -> str:
    if not person.initials:
        return f"{{{_tex(person.family)}}}"  # a group: one literal name, never split or abbreviated
    return f"{_name_part(person.family)}, {' '.join(f'{letter}.' for letter in person.initials)}"


def bibtex(references: Iterable[Reference]) -> str:
    entries = []
    for reference in references:
        people, truncated = authors_of(reference)
        names = [bibtex_name(person) for person in people]
        if truncated and names:
            names.append("others")
        volume, issue = volume_and_issue(reference)
        first, last = page_range(reference)
        place, publisher = place_and_publisher(reference)
        body = holder(reference)
        fields = [
            ("author", " and ".join(names) or None),
            ("title", f"{{{_tex(reference.title)}}}"),  # double braces keep the title's capitals
            ("journal", reference.journal and _tex(reference.journal)),
            ("booktitle", reference.book and f"{{{_tex(reference.book)}}}"),  # braced: "[Internet]" keeps its capital
            ("year", reference.year),
            ("volume", volume and _tex(volume)),
            ("number", issue and _tex(issue)),
            ("pages", first and (f"{_tex(first)}--{_tex(last)}" if last else _tex(first))),
            ("publisher", publisher and f"{{{_tex(publisher)}}}"),  # a list field in biblatex: one name, braced
            ("location", place and f"{{{_tex(place)}}}"),
            ("organization", body and f"{{{_tex(body)}}}"),  # the body, one literal name: never split at "and"
            ("langid", language_name(reference.language)),
            ("doi", reference.doi),  # verbatim in biblatex; the schema admits no brace or backslash in it
            ("eprint", reference.pmid),
            ("eprinttype", reference.pmid and "pubmed"),
            # verbatim in biblatex; the schema admits no brace or space in a url
            ("url", reference.url or pmc_url(reference) or pubmed_url(reference)),
            ("urldate", reference.url and reference.checked.isoformat()),
            ("version", reference.version and _tex(edition(reference))),
            ("note", reference.identifier and _tex(reference.identifier)),
        ]
        body_text = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value not in (None, ""))
        entries.append(f"@{bibtex_type(reference)}{{{reference.id},\n{body_text}\n}}\n")
    return "\n".join(entries)


def ris_file(guide: Guide) -> str:
    return guide.site.file_stem + RIS_SUFFIX


def bibtex_file(guide: Guide) -> str:
    return guide.site.file_stem + BIBTEX_SUFFIX


def export_files(guide: Guide) -> dict[str, Callable[[Iterable[Reference]], str]]:
    """The reference list's files, by name, and what writes each."""
    return {ris_file(guide): ris, bibtex_file(guide): bibtex}
