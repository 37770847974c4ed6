"""The files of content/: one entry per file, naming the model it holds and the ids it defines.

Adding a content file is one entry here (and its field on `Guide`); the loader and the id cross-checks read
this table.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .schema import (Algorithm, CarePage, Changes, Chapter, Classification, Diseases, EvidenceLevels, Glossary,
                     Leaflet, Moved, References, SiteMeta, SitePage, Summary, Tiers)
from .schema import Guide, Treatment
from .text import Model

TREATMENTS_DIR = "treatments"  # one file per treatment, named after its id


@dataclass(frozen=True)
class ContentFile:
    field: str  # the field of `Guide` that holds it
    name: str  # its path inside content/
    model: type[Model]
    defines: tuple[str, str] | None = None  # (kind of id, the list whose items carry those ids)
    page: str | None = None  # the id of the page it makes (changes.yml names pages by these and treatment ids)


CONTENT_FILES: tuple[ContentFile, ...] = (
    ContentFile("site", "site.yml", SiteMeta, page="about"),
    ContentFile("summary", "summary.yml", Summary, page="home"),
    ContentFile("classification", "classification.yml", Classification, ("classification type", "types"),
                page="classification"),
    ContentFile("diseases", "diseases.yml", Diseases, ("disease", "diseases"), page="diseases"),
    ContentFile("tiers", "tiers.yml", Tiers, ("tier", "tiers"), page="treatments"),
    ContentFile("evidence", "evidence.yml", EvidenceLevels, ("evidence level", "levels")),
    ContentFile("algorithm", "algorithm.yml", Algorithm, page="algorithm"),
    ContentFile("care", "care.yml", CarePage, page="care"),
    ContentFile("response", "response.yml", SitePage, page="response"),
    ContentFile("evaluation", "evaluation.yml", Chapter, page="evaluation"),
    # The guide's second chapter, on one group of patients or one disease: its title and address are its own.
    ContentFile("focus", "focus.yml", Chapter, page="focus"),
    ContentFile("references", "references.yml", References, ("reference", "references"), page="references"),
    ContentFile("glossary", "glossary.yml", Glossary, ("glossary term", "terms"), page="glossary"),
    ContentFile("changes", "changes.yml", Changes, page="whats-new"),
    ContentFile("leaflet", "leaflet.yml", Leaflet, page="leaflet"),
    # The addresses pages have left, each leading to the page that stands there now (calcguide/redirects.py).
    ContentFile("moved", "moved.yml", Moved),
)


def page_last_reviewed(guide: "Guide", page_id: str) -> "dt.date":
    """The review date shown on a page: its own for a treatment or a chapter, the site-wide one for the pages
    about the guide itself (About, What's new)."""
    if page_id in {treatment.id for treatment in guide.treatments}:
        return guide.treatment(page_id).last_reviewed
    for content_file in CONTENT_FILES:
        if content_file.page == page_id:
            own = getattr(getattr(guide, content_file.field), "last_reviewed", None)
            return own if isinstance(own, dt.date) else guide.last_reviewed
    return guide.last_reviewed  # a page made from several files (Safety at a glance): the site-wide date


def model_of(relative: str) -> type[Model] | None:
    """The model of the content file at `relative` (its path inside the content folder), or None."""
    if relative.startswith(f"{TREATMENTS_DIR}/"):
        return Treatment
    return next((entry.model for entry in CONTENT_FILES if entry.name == relative), None)
