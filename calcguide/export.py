"""The reference list of content/references.yml as files for reference managers: RIS (Zotero, EndNote,
Mendeley) and BibTeX. Data formats rather than pages, so written here rather than by a template: each format
has its own escaping rules, applied field by field."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from .content import Reference

RIS_FILE = "calcinosis-guide-references.ris"
BIBTEX_FILE = "calcinosis-guide-references.bib"

VANCOUVER_NAME = re.compile(r"^(?P<family>.+?)\s+(?P<initials>[A-Z]{1,4})$")  # "de Paulis A", "Davis MDP"
VOLUME_ISSUE = re.compile(r"^(?P<volume>[^()]+?)\s*\((?P<issue>[^()]+)\)$")  # "35(7)"
PAGE_RANGE = re.compile(r"^(?P<first>[^-]+)-(?P<last>[^-]+)$")
ET_AL = "et al."


@dataclass(frozen=True)
class Person:
    family: str
    initials: str = ""  # empty for a group ("CARRA Legacy Registry investigators")


def authors_of(reference: Reference) -> tuple[list[Person], bool]:
    """The named authors in Vancouver order, and whether the list was cut short ("et al."). Product information,
    a resource or a trial record has its holder (a company, a body, a sponsor) as its one, corporate, author."""
    if reference.kind != "article":
        return ([Person(reference.holder)] if reference.holder else []), False
    if not reference.authors or reference.authors.startswith("["):  # unknown, or a marker that it is unknown
        return [], True
    people, truncated = [], False
    for part in (part.strip() for part in reference.authors.split(",")):
        if part.rstrip(".") == ET_AL.rstrip("."):
            truncated = True
        elif match := VANCOUVER_NAME.match(part):
            people.append(Person(match["family"], match["initials"]))
        elif part:
            people.append(Person(part))
    return people, truncated


def volume_and_issue(reference: Reference) -> tuple[str | None, str | None]:
    if reference.volume and (match := VOLUME_ISSUE.match(reference.volume)):
        return match["volume"], match["issue"]
    return reference.volume, None


def page_range(reference: Reference) -> tuple[str | None, str | None]:
    if reference.pages and (match := PAGE_RANGE.match(reference.pages)):
        return match["first"], match["last"]
    return reference.pages, None


# --- RIS -----------------------------------------------------------------------------------------------------


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
        tag("TY", "JOUR" if reference.kind == "article" else "ELEC")
        tag("ID", reference.id)
        for person in people:
            tag("AU", f"{person.family}, {person.initials}" if person.initials else person.family)
        tag("TI", reference.title)
        tag("T2", reference.journal)
        tag("J2", reference.journal)
        tag("PY", reference.year)
        tag("VL", volume)
        tag("IS", issue)
        tag("SP", first)
        tag("EP", last)
        tag("DO", reference.doi)
        tag("AN", reference.pmid and f"PMID:{reference.pmid}")
        tag("UR", reference.doi and f"https://doi.org/{reference.doi}")
        tag("UR", reference.pmid and f"https://pubmed.ncbi.nlm.nih.gov/{reference.pmid}/")
        tag("UR", reference.url)
        tag("ET", reference.version)  # a label's revision date or version, a registry record's date
        tag("M1", reference.identifier)
        lines.append("ER  - ")
        lines.append("")
    return "\r\n".join(lines)  # the RIS specification ends lines with CR LF


# --- BibTeX --------------------------------------------------------------------------------------------------

BIBTEX_SPECIAL = re.compile(r"([\\{}&%$#_^~])")
BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}


def _tex(value: object) -> str:
    """A value safe inside a braced BibTeX field (UTF-8 is kept: biber and Zotero read it)."""
    return BIBTEX_SPECIAL.sub(lambda match: BIBTEX_ESCAPES.get(match[1], "\\" + match[1]), " ".join(str(value).split()))


def bibtex(references: Iterable[Reference]) -> str:
    entries = []
    for reference in references:
        people, truncated = authors_of(reference)
        names = [f"{_tex(p.family)}, {' '.join(f'{letter}.' for letter in p.initials)}" if p.initials
                 else f"{{{_tex(p.family)}}}" for p in people]  # a group name in braces is never split
        if truncated and names:
            names.append("others")
        volume, issue = volume_and_issue(reference)
        first, last = page_range(reference)
        fields = [
            ("author", " and ".join(names) or None),
            ("title", f"{{{_tex(reference.title)}}}"),  # double braces keep the title's capitals
            ("journal", reference.journal and _tex(reference.journal)),
            ("year", reference.year),
            ("volume", volume and _tex(volume)),
            ("number", issue and _tex(issue)),
            ("pages", first and (f"{_tex(first)}--{_tex(last)}" if last else _tex(first))),
            ("doi", reference.doi),  # verbatim in biblatex; the schema admits no brace or backslash in it
            ("pmid", reference.pmid),
            ("url", reference.url),  # verbatim in biblatex; the schema admits no brace or space in it
            ("version", reference.version and _tex(reference.version)),
            ("note", reference.identifier and _tex(reference.identifier)),
        ]
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value not in (None, ""))
        entry_type = "article" if reference.kind == "article" else "misc"
        entries.append(f"@{entry_type}{{{reference.id},\n{body}\n}}\n")
    return "\n".join(entries)


EXPORTS: dict[str, Callable[[Iterable[Reference]], str]] = {RIS_FILE: ris, BIBTEX_FILE: bibtex}
