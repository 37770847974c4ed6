"""A page's date follows everything that renders into it (issue 30, item 2).

`content/reviewed.yml` records, for every page, the day it was last reviewed and a fingerprint of what it showed
then, per file the content came from: the page's own file, and every other file that writes into it (an
interaction recorded in another treatment's file, the references it lists, the names of its tiers; for the
pages made of several files, the parts of each). `build.py reviewed` writes the record; `check` compares: a page
whose shown content changed while its date did not move (its `last_reviewed`, or a changes entry naming it) is
named, with the files where the change was written, wherever that was. A warning in an everyday build, an error
with --release (calcguide/release.py).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import StringConstraints

from .content import (CONTENT_FILES, TREATMENTS_DIR, ContentError, Guide, Id, Model, SourceFile, model_of,
                      cited_ids, load_document, page_last_reviewed)
from .content.loader import DocumentCache

RECORD_FILE = "reviewed.yml"
Fingerprint = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]


class PageRecord(Model):
    reviewed: dt.date
    shown: dict[str, Fingerprint]  # content file → fingerprint of what the page showed from it


class ReviewRecord(Model):
    pages: dict[Id, PageRecord]


def _shown(value: Any) -> Any:
    """A content value as the pages show it: its data, without the review dates and the notes of checking."""
    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json", by_alias=True)
    if isinstance(value, dict):
        return {key: _shown(item) for key, item in value.items() if key not in ("last_reviewed", "checked")}
    if isinstance(value, list):
        return [_shown(item) for item in value]
    return value


def _fingerprint(parts: list[Any]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16]


def _cited(value: Any) -> set[str]:
    """The references a value cites in its texts ([@id])."""
    if isinstance(value, str):
        return set(cited_ids(value))
    if isinstance(value, dict):
        return set().union(*(_cited(item) for item in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_cited(item) for item in value)) if value else set()
    return set()


def _treatment_file(treatment_id: str) -> str:
    return f"{TREATMENTS_DIR}/{treatment_id}.yml"


# What the pages that list treatments show of each (templates/pages/*.md.j2, templates/algorithm-chart.md.j2).
_LISTED = {
    "home": ("name", "status", "tiers"),
    "treatments": ("name", "status", "tiers", "evidence", "regimen", "safety.dose_note"),
    "safety": ("name", "kind", "status", "tiers", "safety"),
    "leaflet": ("name", "status", "tiers", "patient"),
    "algorithm": ("name", "status", "evidence"),
}


def _listed(treatment: Any, fields: tuple[str, ...]) -> dict:
    shown = {}
    for name in fields:
        value = treatment
        for part in name.split("."):
            value = getattr(value, part, None) if value is not None else None
        shown[name] = value
    return _shown(shown)


def shown_content(guide: Guide) -> dict[str, dict[str, list[Any]]]:
    """For every page: for each content file, what the page shows from it."""
    pages: dict[str, dict[str, list[Any]]] = {}

    def add(page: str, file: str, value: Any) -> None:
        pages.setdefault(page, {}).setdefault(file, []).append(_shown(value))

    def add_references(page: str, ids: set[str] | list[str]) -> None:
        known = {reference.id: reference for reference in guide.references.references}
        for ref in sorted(set(ids)):
            if ref in known:
                add(page, RECORD_SOURCES["references"], known[ref])

    for treatment in guide.treatments:
        own = _treatment_file(treatment.id)
        add(treatment.id, own, treatment)
        for shown in guide.interactions_of(treatment.id):
            if shown.owner != treatment.id:  # recorded in the other treatment's file, shown here too
                add(treatment.id, _treatment_file(shown.owner), shown.interaction)
        for tier in treatment.tiers:
            add(treatment.id, "tiers.yml", guide.tier(tier).name)
        add(treatment.id, "evidence.yml", guide.evidence_level(treatment.evidence.level).name)
        add_references(treatment.id, guide.page_references(treatment))
    for content_file in CONTENT_FILES:
        if content_file.page:
            value = getattr(guide, content_file.field)
            if content_file.field == "site":  # its version is the release's number, not a reviewed statement
                value = value.model_dump(mode="json", exclude={"version"})
            add(content_file.page, content_file.name, value)
            add_references(content_file.page, _cited(_shown(value)) | set(
                value.get("key_references", []) if isinstance(value, dict) else getattr(value, "key_references", [])))
    # Pages made (partly) of other files.
    for treatment in guide.treatments:
        for page in ("home", "treatments", "safety", "leaflet"):
            add(page, _treatment_file(treatment.id), _listed(treatment, _LISTED[page]))
    add("safety", "tiers.yml", [tier.name for tier in guide.tiers.tiers])
    add("home", "tiers.yml", [tier.name for tier in guide.tiers.tiers])
    add("leaflet", "tiers.yml", [tier.patient for tier in guide.tiers.tiers])
    add("leaflet", "summary.yml", [getattr(section, "patient", None) for section in guide.summary.sections])
    add("leaflet", "care.yml", [getattr(section, "patient", None) for section in guide.care.sections])
    for node in guide.algorithm.nodes:
        set_aside = node.no_longer_recommended.treatments if node.no_longer_recommended else []
        for treatment_id in [*node.treatments, *set_aside]:
            add("algorithm", _treatment_file(treatment_id), _listed(guide.treatment(treatment_id), _LISTED["algorithm"]))
        for shown in guide.interactions_among(node.treatments):  # the box's alerts, from the file that records them
            add("algorithm", _treatment_file(shown.owner), shown.interaction)
        if node.tier:
            add("algorithm", "tiers.yml", guide.tier(node.tier).name)
    for chapter in ("evaluation", "focus"):
        for section in getattr(guide, chapter).sections:
            for treatment_id in section.treatments:
                add(chapter, _treatment_file(treatment_id), guide.treatment(treatment_id).name)
    return pages


RECORD_SOURCES = {"references": "references.yml"}


def fingerprints(guide: Guide) -> dict[str, dict[str, str]]:
    return {page: {file: _fingerprint(parts) for file, parts in sorted(files.items())}
            for page, files in shown_content(guide).items()}


def page_date(guide: Guide, page: str) -> dt.date:
    """The date a page shows as its review: its last_reviewed, or a later changes entry that names it."""
    named = [change.date for change in guide.changes.changes if page in change.pages]
    date = guide.last_reviewed if page == "safety" else page_last_reviewed(guide, page)
    return max([date, *named])


def _page_file(page: str, guide: Guide) -> str | None:
    if page in {treatment.id for treatment in guide.treatments}:
        return _treatment_file(page)
    return next((content_file.name for content_file in CONTENT_FILES if content_file.page == page
                 and "last_reviewed" in type(getattr(guide, content_file.field)).model_fields), None)


def read_record(content_dir: Path, documents: DocumentCache | None = None
                ) -> tuple[ReviewRecord | None, SourceFile, list[ContentError]]:
    """The record, read and validated (or kept in `documents` from a reading of the same bytes)."""
    if not (content_dir / RECORD_FILE).exists():
        return None, SourceFile(content_dir / RECORD_FILE, content_dir), []
    return load_document(content_dir / RECORD_FILE, ReviewRecord, content_dir, cache=documents)


def review_problems(guide: Guide, content_dir: Path, documents: DocumentCache | None = None) -> list[ContentError]:
    """Every page whose shown content changed since its recorded review, located at the date to move (or at its
    record when the date moved but the new review is not recorded). `documents`: the files as the guide's load
    read them (calcguide/content/loader.py), so that none is read twice."""
    record, source, errors = read_record(content_dir, documents)
    if errors:
        return errors
    if record is None:
        return [ContentError(RECORD_FILE, 0, "", (
            "there is no record of what each page showed at its review; run `build.py reviewed` once the pages "
            "are reviewed"))]
    problems = []
    # What each page shows, from the guide alone: kept with the documents it was made from (a build that runs with
    # the same content works it out once).
    shown = (documents.from_all_used("review fingerprints", lambda: fingerprints(guide), _fingerprints_well_formed)
             if documents is not None else fingerprints(guide))
    for page, current in shown.items():
        recorded = record.pages.get(page)
        if recorded is None:
            problems.append(source.error(("pages",), (
                f"the page {page!r} has no recorded review; review it, then run `build.py reviewed`")))
            continue
        changed = sorted(file for file in {*current, *recorded.shown} if current.get(file) != recorded.shown.get(file))
        if not changed:
            continue
        date, where = page_date(guide, page), ", ".join(changed)
        if date > recorded.reviewed:
            problems.append(source.error(("pages", page), (
                f"the page {page!r} was reviewed again ({date.isoformat()}) but the review is not recorded; run "
                "`build.py reviewed`")))
            continue
        own = _page_file(page, guide)
        message = (f"what the page {page!r} shows changed since its review of {recorded.reviewed.isoformat()} "
                   f"(written in {where}); review the page, then " + (
                       f"set last_reviewed in {own} to the day you did" if own else
                       "set the last_reviewed of a page it draws from to the day you did")
                   + f" or name {page!r} in a new entry of changes.yml, and run `build.py reviewed`")
        if own:
            problems.append(_source_of(own, content_dir, documents).error(("last_reviewed",), message))
        else:
            problems.append(source.error(("pages", page), message))
    return problems


def _fingerprints_well_formed(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(page, str) and isinstance(files, dict)
        and all(isinstance(file, str) and isinstance(fingerprint, str) for file, fingerprint in files.items())
        for page, files in value.items())


def _source_of(name: str, content_dir: Path, documents: DocumentCache | None) -> SourceFile:
    """A content file's source with its lines, as the guide's load read it when `documents` kept it."""
    if documents is None:
        source = SourceFile(content_dir / name, content_dir)
        source.read()
        return source
    return load_document(content_dir / name, model_of(name), content_dir, cache=documents)[1]


def record_reviews(guide: Guide, content_dir: Path) -> list[ContentError]:
    """Write content/reviewed.yml from what every page shows now, unless a page changed without a new date (then
    nothing is written, and those pages are returned)."""
    refused = [problem for problem in review_problems(guide, content_dir)
               if problem.field == "last_reviewed" or "changed since its review" in problem.message]
    if refused:
        return refused
    write_record(guide, content_dir)
    return []


def write_record(guide: Guide, content_dir: Path) -> None:
    """content/reviewed.yml from what every page shows now, each page dated as it shows its review."""
    lines = ["# What each page showed when it was last reviewed, per file its content comes from (fingerprints).",
             "# Written by `build.py reviewed`; never edit it by hand. `build.py check` names every page whose",
             "# shown content changed while its date did not move (README, \"A page's date\").",
             "pages:"]
    for page, shown in sorted(fingerprints(guide).items()):
        lines.append(f"  {page}:")
        lines.append(f"    reviewed: {page_date(guide, page).isoformat()}")
        lines.append("    shown:")
        lines.extend(f"      {file}: {fingerprint}" for file, fingerprint in shown.items())
    (content_dir / RECORD_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
