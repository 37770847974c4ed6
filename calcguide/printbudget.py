"""The page budget of each printed product (`print_budget` in content/site.yml): the PDFs the pdf stage printed,
counted, and each product over its budget as one error located at the budget it breaks. One more algorithm box
must not silently take the handout from three pages to four."""
from __future__ import annotations

import hashlib
import io
from importlib.metadata import version
from pathlib import Path

from .catalogue import Catalogue
from .content import LANGS, ContentError, Guide, SourceFile
from .keptcache import list_of_texts, read_kept, write_kept

SITE_FILE = "site.yml"


# What the text read from a PDF depends on besides its bytes: the reader and how it is asked.
EXTRACTION = f"pypdf {version('pypdf')}, extract_text()"


def printed_pages(pdf: Path, cache: Path | None = None) -> list[str]:
    """The text of each page of a PDF; remembered in `cache` by the digest of the PDF's bytes and EXTRACTION
    (reading the text of a handout costs a third of a second, and a handout whose page did not change is the
    same PDF: calcguide/pdfcache.py)."""
    data = pdf.read_bytes()
    remembered = None
    if cache is not None:
        key = hashlib.sha256(EXTRACTION.encode() + b"\0" + data).hexdigest()
        remembered = cache / f"{key}.pages.json"
        # Only what this function writes, a list of page texts: a record cut short, nested past Python's limit or
        # of another shape (null, {"a": 1}, which would count as one page) is read again from the PDF.
        if (pages := read_kept(remembered, list_of_texts)) is not None:
            return pages
    from pypdf import PdfReader  # loaded only when a PDF is new: it is a tenth of a second of start-up

    pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]  # the bytes keyed
    if remembered is not None:
        write_kept(remembered, pages)  # whole or absent; one that cannot be written is read from the PDF next time
    return pages


def algorithm_pages(handout_pages: list[str], tiers_heading: str) -> int:
    """The pages the chart and its disclaimer take: those before the page where the tiers begin (the handout
    starts them on a page of their own, templates/handout.css)."""
    heading = _comparable(tiers_heading)
    for number, text in enumerate(handout_pages):
        if heading in _comparable(text):
            return number
    return len(handout_pages)


def _comparable(text: str) -> str:
    """Text as the page prints it and as the catalogue writes it compare alike: spaces of any kind made one, and
    the apostrophe the build typesets (’) made straight."""
    return " ".join(text.replace("\u2019", "'").split())


def budget_problems(guide: Guide, catalogue: Catalogue, dist_dir: Path, content_dir: Path,
                    cache: Path | None = None) -> list[ContentError]:
    """Every printed product over its budget, in each language (the PDFs' texts remembered in `cache`)."""
    budget = guide.site.print_budget
    site = SourceFile(content_dir / SITE_FILE, content_dir)
    site.read()
    problems = []
    for lang in LANGS:
        counted: dict[str, int] = {}
        handout = dist_dir / f"handout-{lang}.pdf"
        if handout.is_file():
            pages = printed_pages(handout, cache)
            counted["handout"] = len(pages)
            counted["algorithm"] = algorithm_pages(pages, catalogue.ui["tiers_at_a_glance"][lang])
        leaflet = dist_dir / f"leaflet-{lang}.pdf"
        if leaflet.is_file():
            counted["leaflet"] = len(printed_pages(leaflet, cache))
        for product, count in counted.items():
            allowed = getattr(budget, product)
            if count > allowed:
                problems.append(site.error(("print_budget", product), (
                    f"the {_NAMES[product]} in {_LANGUAGES[lang]} takes {count} A4 pages, over its budget of "
                    f"{allowed}; shorten what it prints (a box's text, a tier's regimen or cautions) or, if the "
                    f"editors agree, raise print_budget.{product}")))
    return problems


_NAMES = {"algorithm": "algorithm (the handout's chart and disclaimer)", "handout": "clinic handout",
          "leaflet": "patient leaflet"}
_LANGUAGES = {"en": "English", "fr": "French"}
