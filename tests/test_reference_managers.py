"""The RIS and BibTeX exports as reference managers read them: rispy and bibtexparser (the Python readers), pandoc's
citeproc readers (pypandoc-binary, pinned) and biber's tool mode (Debian), each entry compared field by field with
content/references.yml. A reader that disagrees with our own idea of the format is the one that counts."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
import pytest
import rispy
from bibtexparser import middlewares
from pylatexenc.latex2text import LatexNodes2Text

from calcguide.content import Reference
from calcguide.export import bibtex, ris

BLTX = "{http://biblatex-biber.sourceforge.net/biblatexml}"
LANGID = {"en": "english", "fr": "french"}


def pandoc_path() -> str | None:
    try:
        import pypandoc
        return pypandoc.get_pandoc_path()
    except (ImportError, OSError):
        return None


needs_pandoc = pytest.mark.skipif(pandoc_path() is None, reason="pypandoc-binary (make test installs it)")
needs_biber = pytest.mark.skipif(shutil.which("biber") is None, reason="biber (make test installs it)")


# --- what each entry must say, from content/references.yml -------------------------------------------------------


@dataclass
class Expected:
    kind: str                               # article, chapter, web (with an address), document (without)
    people: list[tuple[str, str]]           # (family, initials) in order
    body: str | None                        # the holder: a publishing body, never a person
    title: str
    container: str | None                   # journal or book
    year: int
    language: str
    doi: str | None
    pmid: int | None
    urls: set[str]                          # every address a reader gets: its own, PubMed, PubMed Central


def vancouver_people(authors: str | None) -> list[tuple[str, str]]:
    """The authors as content/references.yml writes them (Vancouver: "Balin SJ, de Paulis A, et al." and a group
    after a semicolon), read independently of calcguide/export.py."""
    people = []
    for name in re.split(r"[,;]", authors or ""):
        name = name.strip()
        if name and name != "et al.":
            family, _, initials = name.rpartition(" ")
            people.append((family, initials) if family and re.fullmatch(r"[A-Z]{1,4}", initials) else (name, ""))
    return people


def expected(ref: Reference) -> Expected:
    kind = ref.kind if ref.kind in ("article", "chapter") else ("web" if ref.url else "document")
    urls = {ref.url} if ref.url else set()
    if ref.pmid:
        urls.add(f"https://pubmed.ncbi.nlm.nih.gov/{ref.pmid}/")
    if ref.pmcid:
        urls.add(f"https://pmc.ncbi.nlm.nih.gov/articles/{ref.pmcid}/")
    return Expected(kind, vancouver_people(ref.authors) if kind in ("article", "chapter") else [],
                    ref.holder if kind in ("web", "document") else None, ref.title, ref.journal or ref.book, ref.year,
                    ref.language, ref.doi, ref.pmid, urls)


def letters(given: str) -> str:
    return re.sub(r"[^A-Z]", "", given)


@pytest.fixture(scope="module")
def references(guide) -> list[Reference]:
    return guide.references.references


@pytest.fixture(scope="module")
def exported(references, tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("exports")
    (folder / "refs.ris").write_text(ris(references), encoding="utf-8", newline="")
    (folder / "refs.bib").write_text(bibtex(references), encoding="utf-8")
    return folder / "refs.ris", folder / "refs.bib"


def test_every_reference_records_the_language_of_its_title(references):
    assert {ref.language for ref in references} == {"en", "fr"}
    assert next(ref for ref in references if ref.id == "bienvenu-2014").language == "fr"


# --- rispy -------------------------------------------------------------------------------------------------------

RIS_TYPE = {"article": "JOUR", "chapter": "CHAP", "web": "ELEC", "document": "GEN"}


def test_rispy_reads_every_ris_entry_as_the_guide_has_it(references, exported):
    entries = rispy.load(exported[0], encoding="utf-8")
    assert [entry["id"] for entry in entries] == [ref.id for ref in references]
    for entry, ref in zip(entries, references):
        want = expected(ref)
        assert entry["type_of_reference"] == RIS_TYPE[want.kind], ref.id
        assert entry.get("authors", []) == [f"{family}, {initials}" if initials else f"{family},"
                                            for family, initials in want.people], ref.id
        assert entry.get("publisher") == (want.body or place_and_publisher_of(ref)), ref.id
        assert entry["title"] == want.title and entry.get("secondary_title") == want.container, ref.id
        assert "alternate_title1" not in entry, ref.id  # the journal once, not again as J2
        assert entry["year"] == str(want.year) and entry["language"] == want.language, ref.id
        assert entry.get("doi") == want.doi, ref.id
        assert entry.get("accession_number") == (str(want.pmid) if want.pmid else None), ref.id
        assert entry.get("name_of_database") == ("PubMed" if want.pmid else None), ref.id
        assert set(entry.get("urls", [])) == want.urls, ref.id


def place_and_publisher_of(ref: Reference) -> str | None:
    return ref.publisher.split(": ", 1)[-1] if ref.publisher else None


# --- bibtexparser ------------------------------------------------------------------------------------------------

BIBTEX_TYPE = {"article": "article", "chapter": "inbook", "web": "online", "document": "manual"}


def parsed_bibtex(text: str) -> bibtexparser.Library:
    """Names split first (braces protect them), then every field decoded from LaTeX, as a reference manager does."""
    return bibtexparser.parse_string(text, append_middleware=[
        middlewares.SeparateCoAuthors(), middlewares.SplitNameParts(), middlewares.LatexDecodingMiddleware()])


def verbatim_doi(entry) -> str | None:  # noqa: ANN001 - a bibtexparser entry
    return entry.fields_dict["doi"].value if "doi" in entry.fields_dict else None


def bibtexparser_people(fields: dict) -> list[tuple[str, str]]:
    decode = LatexNodes2Text().latex_to_text
    return [(decode(" ".join(name.von + name.last)), letters("".join(name.first))) for name in fields.get("author", [])
            if name.last != ["others"]]


def test_bibtexparser_reads_every_bibtex_entry_as_the_guide_has_it(references, exported):
    library = parsed_bibtex(exported[1].read_text(encoding="utf-8"))
    raw = bibtexparser.parse_string(exported[1].read_text(encoding="utf-8")).entries_dict
    assert not library.failed_blocks
    assert [entry.key for entry in library.entries] == [ref.id for ref in references]
    for entry, ref in zip(library.entries, references):
        want, fields = expected(ref), {name: field.value for name, field in entry.fields_dict.items()}
        assert entry.entry_type == BIBTEX_TYPE[want.kind], ref.id
        assert bibtexparser_people(fields) == want.people, ref.id
        assert fields.get("organization") == want.body, ref.id
        assert fields["title"] == want.title and fields.get("journal", fields.get("booktitle")) == want.container
        assert fields["year"] == str(want.year) and fields["langid"] == LANGID[want.language], ref.id
        assert verbatim_doi(raw[ref.id]) == want.doi, ref.id
        assert (fields.get("eprint"), fields.get("eprinttype")) == ((str(want.pmid), "pubmed") if want.pmid
                                                                    else (None, None)), ref.id
        verbatim = {name: field.value for name, field in raw[ref.id].fields_dict.items()}  # url, doi: as written
        assert verbatim.get("url") in want.urls if want.urls else "url" not in verbatim, ref.id


# --- pandoc's citeproc readers -------------------------------------------------------------------------------------

# What pandoc makes of each type (CSL): its RIS reader reads ELEC as "misc" and GEN as "entry".
PANDOC_TYPE = {"bib": {"article": "article-journal", "chapter": "chapter", "web": "webpage", "document": "book"},
               "ris": {"article": "article-journal", "chapter": "chapter", "web": "misc", "document": "entry"}}


def apostrophes(text: str | None) -> str | None:
    return text and text.replace("’", "'")


def pandoc_csl(path: Path, reader: str) -> list[dict]:
    done = subprocess.run([pandoc_path(), "--from", reader, "--to", "csljson", str(path)],
                          capture_output=True, text=True, check=True)
    assert done.stderr == "", done.stderr  # no warning either
    return json.loads(done.stdout)


@pytest.mark.checker
@needs_pandoc
@pytest.mark.parametrize("which", ["ris", "bib"])
def test_pandoc_reads_every_entry_as_the_guide_has_it(references, exported, which):
    path = exported[0] if which == "ris" else exported[1]
    entries = {entry["id"]: entry for entry in pandoc_csl(path, "ris" if which == "ris" else "biblatex")}
    assert list(entries) == [ref.id for ref in references]
    for ref in references:
        want, entry = expected(ref), entries[ref.id]
        assert entry["type"] == PANDOC_TYPE[which][want.kind], ref.id
        people = [(person.get("literal") or " ".join(filter(None, (
                       person.get("dropping-particle"), person.get("non-dropping-particle"), person.get("family")))),
                   letters(person.get("given", ""))) for person in entry.get("author", [])
                  if person.get("literal") != "others"]
        assert people == want.people, ref.id  # a body is never a person, a person never two
        # pandoc reads BibTeX as LaTeX, where ' is a typographic apostrophe: "l'ANSM" comes out as "l’ANSM".
        assert apostrophes(entry.get("publisher")) == apostrophes(want.body or place_and_publisher_of(ref)), ref.id
        assert apostrophes(entry["title"]) == apostrophes(want.title), ref.id
        assert entry.get("container-title") == want.container, ref.id
        assert entry["issued"]["date-parts"][0][0] == want.year, ref.id
        assert entry["language"].split("-")[0] == want.language, ref.id
        assert entry.get("DOI") == want.doi, ref.id
        if want.urls:
            assert entry.get("URL") in want.urls, ref.id
        else:
            assert "URL" not in entry, ref.id


# --- biber's tool mode -----------------------------------------------------------------------------------------------


def biber_entries(bib: Path, tmp_path: Path) -> tuple[dict[str, ElementTree.Element], str]:
    """biber reads the file with its data model checks on and writes it back as biblatexml (structured names)."""
    target = tmp_path / "biber.bltxml"
    done = subprocess.run(["biber", "--tool", "--validate-datamodel", "--output-format=biblatexml",
                           f"--output-file={target}", str(bib)], capture_output=True, text=True, check=True,
                          cwd=tmp_path)
    problems = "\n".join(line for line in done.stdout.splitlines() if line.startswith(("WARN", "ERROR")))
    root = ElementTree.parse(target).getroot()
    return {entry.get("id"): entry for entry in root.iter(f"{BLTX}entry")}, problems


def biber_people(entry: ElementTree.Element) -> list[tuple[str, str]]:
    people = []
    for names in entry.findall(f"{BLTX}names[@type='author']"):
        for name in names.findall(f"{BLTX}name"):
            parts = {part.get("type"): " ".join("".join(part.itertext()).split())
                     for part in name.findall(f"{BLTX}namepart")}
            people.append((" ".join(filter(None, (parts.get("prefix"), parts.get("family")))),
                           letters(parts.get("given", ""))))
    return people


def text_of(entry: ElementTree.Element, field: str) -> str | None:
    found = entry.find(f"{BLTX}{field}")
    return None if found is None else " ".join("".join(found.itertext()).split())


@pytest.mark.checker
@needs_biber
def test_biber_reads_every_bibtex_entry_as_the_guide_has_it(references, exported, tmp_path):
    entries, problems = biber_entries(exported[1], tmp_path)
    assert problems == ""  # every entry fits biblatex's data model (an @online has its address, and so on)
    assert list(entries) == [ref.id for ref in references]
    for ref in references:
        want, entry = expected(ref), entries[ref.id]
        assert entry.get("entrytype") == BIBTEX_TYPE[want.kind], ref.id
        assert biber_people(entry) == want.people, ref.id
        bodies = [LatexNodes2Text().latex_to_text(" ".join("".join(item.itertext()).split())) for item in entry.findall(f"{BLTX}organization/{BLTX}list/{BLTX}item")]
        assert bodies == ([want.body] if want.body else []), ref.id  # one body, never split at its "and"
        assert LatexNodes2Text().latex_to_text(text_of(entry, "title")) == want.title, ref.id
        assert text_of(entry, "langid") == LANGID[want.language], ref.id
        assert text_of(entry, "doi") == want.doi, ref.id
        assert (text_of(entry, "eprint"), text_of(entry, "eprinttype")) == (
            (str(want.pmid), "pubmed") if want.pmid else (None, None)), ref.id
        assert (text_of(entry, "url") in want.urls) if want.urls else text_of(entry, "url") is None, ref.id


# --- names that a careless split would break (issue 21, item 9) -----------------------------------------------------

AWKWARD = "Smith and Jones A, O{Brien} B, Back\\slash C, Anderson D"


@pytest.fixture
def awkward(references) -> Reference:
    return references[0].model_copy(update={"authors": AWKWARD})


def test_a_name_holding_and_braces_or_a_backslash_stays_one_author_for_rispy_and_bibtexparser(awkward):
    assert rispy.loads(ris([awkward]))[0]["authors"] == ["Smith and Jones, A", "O{Brien}, B", "Back\\slash, C",
                                                        "Anderson, D"]
    entry = parsed_bibtex(bibtex([awkward])).entries[0]
    assert [family for family, _ in bibtexparser_people({"author": entry.fields_dict["author"].value})] == [
        "Smith and Jones", "O{Brien}", "Back\\slash", "Anderson"]


@pytest.mark.checker
@needs_pandoc
def test_a_name_holding_and_braces_or_a_backslash_stays_one_author_for_pandoc(awkward, tmp_path):
    (tmp_path / "awkward.bib").write_text(bibtex([awkward]), encoding="utf-8")
    [entry] = pandoc_csl(tmp_path / "awkward.bib", "biblatex")
    assert [person["family"] for person in entry["author"]] == ["Smith and Jones", "O{Brien}", "Back\\slash",
                                                                "Anderson"]


@pytest.mark.checker
@needs_biber
def test_a_name_holding_and_braces_or_a_backslash_stays_one_author_for_biber(awkward, tmp_path):
    (tmp_path / "awkward.bib").write_text(bibtex([awkward]), encoding="utf-8")
    entries, problems = biber_entries(tmp_path / "awkward.bib", tmp_path)
    assert problems == ""
    assert [family for family, _ in biber_people(entries[awkward.id])][0::3] == ["Smith and Jones", "Anderson"]
    assert len(biber_people(entries[awkward.id])) == 4
