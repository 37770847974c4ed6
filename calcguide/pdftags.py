"""A printed PDF made ready for screen readers and catalogues (pikepdf): what Chromium's tagged PDF leaves out.

Chromium tags what its accessibility tree holds and nothing else. Here, after printing:
- every painted thing outside the tag tree (the page headers and footers of the @page margin boxes, borders, the
  chart's arrow lines) is marked as an artifact, so that a screen reader skips it instead of meeting untagged text;
- the structure types Chromium writes that PDF 1.7 does not define (Strong, Em) are mapped to Span (a RoleMap);
- every link annotation says where it leads (/Contents, its alternate text);
- the document carries XMP metadata: title, language, version and date (and the document title is shown).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pikepdf

# Bumped when the finishing changes: the handout cache (calcguide/pdfcache.py) keys on it.
# pikepdf is loaded when a PDF is finished (a tenth of a build's start-up, and a build whose handouts are in the
# PDF cache finishes none); its version is read from its metadata.
FINISHING = f"pdftags 1, pikepdf {version('pikepdf')}"
NON_STANDARD_TYPES = {"/Strong": "/Span", "/Em": "/Span"}
TEXT_SHOWING = {"Tj", "TJ", "'", '"'}
PATH_CONSTRUCTION = {"m", "l", "c", "v", "y", "h", "re"}
PATH_PAINTING = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"}
XOBJECT_OR_SHADING = {"Do", "sh", "BI"}


@dataclass(frozen=True)
class PdfMetadata:
    title: str
    lang: str  # BCP 47, as the page's <html lang>
    version: str  # the guide's version
    date: dt.date  # the date the content was last reviewed (not the day it was printed)


def _artifact(instructions: list) -> list:
    import pikepdf

    return [pikepdf.ContentStreamInstruction([pikepdf.Name.Artifact], pikepdf.Operator("BMC")), *instructions,
            pikepdf.ContentStreamInstruction([], pikepdf.Operator("EMC"))]


def mark_untagged_content_as_artifacts(pdf: pikepdf.Pdf) -> int:
    """Wrap each graphics object painted outside any marked-content sequence in /Artifact BMC … EMC: a text-showing
    operator inside its text object, a path from its first construction operator to its painting one, an image.
    Returns how many were wrapped."""
    import pikepdf

    wrapped = 0
    for page in pdf.pages:
        finished, depth, path = [], 0, []
        for instruction in pikepdf.parse_content_stream(page):
            op = str(instruction.operator)
            if op in ("BDC", "BMC"):
                depth += 1
            elif op == "EMC":
                depth -= 1
            if depth or op in ("BDC", "BMC", "EMC"):
                finished.append(instruction)
            elif op in PATH_CONSTRUCTION or path:
                path.append(instruction)
                if op in PATH_PAINTING:  # the path object ends here; "n" paints nothing (a clip): left as it is
                    finished += path if op == "n" else _artifact(path)
                    wrapped += op != "n"
                    path = []
            elif op in TEXT_SHOWING or op in XOBJECT_OR_SHADING:
                finished += _artifact([instruction])
                wrapped += 1
            else:
                finished.append(instruction)
        finished += path
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(finished))
    return wrapped


def map_non_standard_structure_types(pdf: pikepdf.Pdf) -> None:
    import pikepdf

    tree = pdf.Root.get("/StructTreeRoot")
    if tree is not None:
        role_map = tree.get("/RoleMap") or pikepdf.Dictionary()
        for name, standard in NON_STANDARD_TYPES.items():
            if name not in role_map:
                role_map[name] = pikepdf.Name(standard)
        tree.RoleMap = role_map


def describe_links(pdf: pikepdf.Pdf) -> int:
    """Give each link annotation without one an alternate text: the address it leads to."""
    import pikepdf

    described = 0
    for page in pdf.pages:
        for annotation in page.get("/Annots", []):
            if annotation.get("/Subtype") == "/Link" and "/Contents" not in annotation:
                action = annotation.get("/A") or {}
                target = action.get("/URI") if "/URI" in action else None
                if target is not None:
                    annotation.Contents = pikepdf.String(str(target))
                    described += 1
    return described


def write_metadata(pdf: pikepdf.Pdf, metadata: PdfMetadata) -> None:
    import pikepdf

    pdf.Root.Lang = pikepdf.String(metadata.lang)
    with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["dc:title"] = metadata.title
        xmp["dc:language"] = [metadata.lang]
        xmp["dc:date"] = [metadata.date.isoformat()]
        xmp["xmpMM:VersionID"] = metadata.version
        xmp["pdf:Producer"] = str(pdf.docinfo.get("/Producer", ""))
    viewer = pdf.Root.get("/ViewerPreferences") or pikepdf.Dictionary()
    viewer.DisplayDocTitle = True  # a reader shows the title, not the file name
    pdf.Root.ViewerPreferences = viewer


def finish(path: Path, metadata: PdfMetadata) -> None:
    """Finish a PDF printed by Chromium, in place."""
    import pikepdf

    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        mark_untagged_content_as_artifacts(pdf)
        map_non_standard_structure_types(pdf)
        describe_links(pdf)
        write_metadata(pdf, metadata)
        pdf.save(path)
