"""The files of content/: one entry per file, naming the model it holds and the ids it defines.

Adding a content file is one entry here (and its field on `Guide`); the loader and the id cross-checks read
this table.
"""
from __future__ import annotations

from dataclasses import dataclass

from .schema import (Algorithm, Chapter, Classification, Diseases, EvidenceLevels, Glossary, References, SiteMeta, SitePage,
                     Summary, Tiers)
from .text import Model

TREATMENTS_DIR = "treatments"  # one file per treatment, named after its id


@dataclass(frozen=True)
class ContentFile:
    field: str  # the field of `Guide` that holds it
    name: str  # its path inside content/
    model: type[Model]
    defines: tuple[str, str] | None = None  # (kind of id, the list whose items carry those ids)


CONTENT_FILES: tuple[ContentFile, ...] = (
    ContentFile("site", "site.yml", SiteMeta),
    ContentFile("summary", "summary.yml", Summary),
    ContentFile("classification", "classification.yml", Classification, ("classification type", "types")),
    ContentFile("diseases", "diseases.yml", Diseases, ("disease", "diseases")),
    ContentFile("tiers", "tiers.yml", Tiers, ("tier", "tiers")),
    ContentFile("evidence", "evidence.yml", EvidenceLevels, ("evidence level", "levels")),
    ContentFile("algorithm", "algorithm.yml", Algorithm),
    ContentFile("care", "care.yml", SitePage),
    ContentFile("assessment", "assessment.yml", SitePage),
    ContentFile("evaluation", "evaluation.yml", Chapter),
    ContentFile("jdm", "juvenile-dermatomyositis.yml", Chapter),
    ContentFile("references", "references.yml", References, ("reference", "references")),
    ContentFile("glossary", "glossary.yml", Glossary, ("glossary term", "terms")),
)
