"""The content schema: one pydantic model per kind of content, and `Guide`, all of content/ validated.

The algorithm's models are in `algorithm.py`, the references' in `references.py`, safety in `safety.py` and the
publishing fields in `publishing.py`; they are imported here, where `Guide` brings them together."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from .safety import (BoxAlert, Safety, ShownInteraction, box_alerts, interactions_among, interactions_of,
                     safety_reference_ids)
from .algorithm import (Algorithm, AlgorithmEdge, AlgorithmNode, NodeKind, PageKind, PageLink,  # noqa: F401
                        SetAside, chart_rows)
from .leaflet import Leaflet, PatientText, leaflet_parts, leaflet_references  # noqa: F401 - leaflet_parts: vocabulary
from .publishing import Changes, Contact, Editor
from .references import Reference, References  # noqa: F401 - part of the schema's vocabulary
from .text import AddressWords, FormerAddress, Id, Model, Prose, Text, Version, Words


class Section(Model):
    id: Id
    title: Text
    body: Prose  # paragraphs and lists


class ExplainedSection(Section):
    """A section that the patient leaflet retells in plain words (calcguide/content/leaflet.py)."""

    patient: PatientText | None = None


class KeyMessage(Model):
    text: Text


class SitePage(Model):
    """A page made of sections (home summary, care, follow-up and response)."""

    title: Text
    last_reviewed: dt.date  # shown under the title; no reference it cites may be checked later than this
    intro: Text | None = None
    sections: list[Section] = []


class ChapterSection(Section):
    # The treatment pages this section discusses, linked under its text (checked against content/treatments/).
    treatments: list[Id] = []


class PageSlug(Model):
    """A page's file name in each language: lowercase ascii words joined by hyphens, never a path."""

    en: AddressWords
    fr: AddressWords

    def __getitem__(self, lang: str) -> str:
        return getattr(self, lang)


class Chapter(Model):
    """A clinical chapter of sections that point to the treatment pages they discuss (evaluation.yml, and the
    chapter on one group of patients or one disease, focus.yml)."""

    title: Text
    # The page's address; without it, the address of its kind of page in templates/strings.yml.
    slug: PageSlug | None = None
    last_reviewed: dt.date  # shown under the title; no reference it cites may be checked later than this
    intro: Text | None = None
    sections: list[ChapterSection] = Field(min_length=1)


class PrintBudget(Model):
    """How many A4 pages each printed product may take: the algorithm (the handout's chart and disclaimer, the
    sheet pinned on a wall), the whole clinic handout and the patient leaflet. Going over is a warning in an
    everyday build and an error in a release (calcguide/printbudget.py)."""

    algorithm: Annotated[int, Field(ge=1, le=20)] = 1
    handout: Annotated[int, Field(ge=1, le=20)] = 3
    leaflet: Annotated[int, Field(ge=1, le=20)] = 2


class SiteMeta(Model):
    title: Text
    short_title: Text
    version: Version
    source_review: Id
    disclaimer: Text
    method: Text
    authors: Text
    # Who stands behind the guide. Empty until the editorial board is named: pages then say so plainly.
    editors: list[Editor] = []
    funding: Text | None = None
    contact: Contact | None = None
    # A treatment whose review is older than this blocks a release (build.py --release).
    review_cycle_months: Annotated[int, Field(ge=1, le=120)] = 24
    print_budget: PrintBudget = PrintBudget()

    @property
    def file_stem(self) -> str:
        """The guide's name in the names of its files (the offline zip, the reference exports): its English short
        title as an id ("Some Guide" → some-guide)."""
        ascii_title = unicodedata.normalize("NFKD", self.short_title.en).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60] or "guide"


class Summary(SitePage):
    key_messages: list[KeyMessage] = Field(min_length=1)
    sections: list[ExplainedSection] = []


class CarePage(SitePage):
    """Complications and supportive care: its sections may have a patient text for the leaflet."""

    sections: list[ExplainedSection] = []


SerumStatus = Literal["normal", "abnormal", "variable", "high-phosphate"]


class ConditionType(Model):
    """A type of the condition (classification.yml): its mechanism, serum findings and causes."""

    id: Id
    name: Text
    mechanism: Text
    serum: SerumStatus
    serum_note: Text
    causes: Text


class Classification(Model):
    title: Text
    last_reviewed: dt.date
    intro: Text
    types: list[ConditionType] = Field(min_length=1)
    sections: list[Section] = []


class Disease(Model):
    id: Id
    name: Text
    frequency: Text
    risk_factors: Prose
    notes: Prose | None = None


class Diseases(Model):
    title: Text
    last_reviewed: dt.date
    intro: Text
    # What `frequency` counts, as the table's heading ("Reported frequency of …"); else the catalogue's words.
    frequency_label: Text | None = None
    diseases: list[Disease] = Field(min_length=1)


Indication = Literal["localized", "disseminated", "complication"]


# What the guide advises for the treatments of a tier, in the words a prescriber uses (issue 23): the status badge
# of each of its treatments (words in templates/strings.yml `advice:`), unless the treatment is no longer
# recommended. `supportive` is for a tier of supportive care, should one appear.
Advice = Literal["first-line", "small-lesions", "extensive", "refractory", "supportive"]


class Tier(Model):
    id: Id
    name: Text
    description: Text
    # A group for supportive and adjunct treatments (digital ulcers, pain, infection), apart from the tiers of the
    # 2014 review: it holds only treatments with status supportive-care, and they sit only in such groups.
    supportive: bool = False
    advice: Advice
    # The leaflet's part on this tier; then each of its treatments needs its own patient text.
    patient: PatientText | None = None


class Tiers(Model):
    title: Text
    last_reviewed: dt.date
    intro: Text
    tiers: list[Tier] = Field(min_length=1)


class EvidenceLevel(Model):
    id: Id
    name: Text
    description: Text


class EvidenceLevels(Model):
    intro: Text
    levels: list[EvidenceLevel] = Field(min_length=1)


# Where the 2014 review puts a treatment: in its abstract, not in the abstract, or published later.
Placement = Literal["review-2014", "not-in-abstract", "later-evidence"]


# What the guide makes of a treatment, shown before its evidence: one of the tiers of the 2014 review, an option
# outside those tiers (not named in the review's abstract, or published later), no longer recommended, or
# supportive care (it treats what the condition causes: digital ulcers, pain, infection; in a `supportive: true` tier).
Status = Literal["review-tier", "other-option", "no-longer-recommended", "supportive-care"]


class PatientCount(Model):
    """How many treated patients the studies cited for a treatment report, per study: one number, or the smallest
    and the largest study; `unknown` when the cited sources give no count. Never a number of studies."""

    smallest: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    largest: Annotated[int, Field(ge=1, le=1_000_000)] | None = None

    @model_validator(mode="before")
    @classmethod
    def from_editor_form(cls, value: Any) -> Any:
        """Editors write `9`, `4–17` (or `4-17`) or `unknown`."""
        if isinstance(value, bool):
            raise ValueError(PATIENTS_HELP)
        if isinstance(value, int):
            return {"smallest": value, "largest": value}
        if isinstance(value, str):
            if value.strip() == "unknown":
                return {}
            match = re.fullmatch(r"\s*(\d{1,7})\s*(?:[–-]\s*(\d{1,7})\s*)?", value)
            if match:
                return {"smallest": int(match.group(1)), "largest": int(match.group(2) or match.group(1))}
            raise ValueError(f"{value!r} is not a number of patients; {PATIENTS_HELP}")
        return value

    @model_validator(mode="after")
    def is_a_count(self) -> "PatientCount":
        if (self.smallest is None) != (self.largest is None) or (
                self.smallest is not None and not 1 <= self.smallest <= self.largest):
            raise ValueError(PATIENTS_HELP)
        return self

    @property
    def known(self) -> bool:
        return self.smallest is not None


PATIENTS_HELP = ("write the number of treated patients (9), the smallest and the largest study (4–17), or unknown "
                 "when the cited sources give no count; the design goes in level")


class Evidence(Model):
    level: Id
    patients: PatientCount
    summary: Text


# Where a brand is sold: France, the EU as a whole (a centrally authorised product, EMA), the United Kingdom, the
# United States, Canada. The page names the countries in words (templates/strings.yml, `countries`).
Country = Literal["FR", "EU", "UK", "US", "CA"]
# A brand name as printed on the box: letters, digits, spaces and a few signs, never markup.
BrandName = Annotated[str, StringConstraints(pattern=r"^[^\W_][\w .'’+/-]*$", max_length=60)]


class Brand(Model):
    """A product that contains the treatment, under the name on its box, where it is sold, and the label or
    database entry that names it (a reference of kind label or resource, checked in crosscheck.py)."""

    name: BrandName
    countries: list[Country] = Field(min_length=1)
    source: Id


class Treatment(Model):
    id: Id
    name: Text
    # Its page's file name: in English the id (the file's name), in French French words (traitement-local).
    slug: PageSlug
    kind: Literal["drug", "local", "procedure"]
    drug_class: Text
    tiers: list[Id] = Field(min_length=1)
    placement: Placement
    status: Status
    indications: list[Indication] = Field(min_length=1)
    summary: Text
    mechanism: Text
    regimen: Text
    evidence: Evidence
    response: Text
    cautions: Text
    # What it can do and its main cautions in plain words, for the patient leaflet (when its tier has a patient text).
    patient: Text | None = None
    references: list[Id] = Field(min_length=1)
    search_terms: Words = Words()
    brands: list[Brand] = []  # shown on the page ("Also sold as …") and found by search
    # Required for every treatment, with the fields of its kind (checked in safety.check_safety, with locations).
    safety: Safety | None = None
    last_reviewed: dt.date  # shown under the title; no reference it cites may be checked later than this


class Term(Model):
    id: Id
    abbr: Text | None = None
    term: Text
    definition: Text
    search_terms: Words = Words()


class Glossary(Model):
    title: Text
    last_reviewed: dt.date
    intro: Text
    terms: list[Term] = Field(min_length=1)


class MovedPage(Model):
    """A page's former address and the page that stands there now, so that a printed link still opens it."""

    former: FormerAddress = Field(alias="from")
    page: Id = Field(alias="to")  # a treatment's id or a page's (response, evaluation…), as changes.yml names pages


class Moved(Model):
    """Every address a page has left (content/moved.yml): each gets a small redirect page (calcguide/redirects.py)."""

    moved: list[MovedPage] = []


class Guide(Model):
    """All of content/, validated and cross-checked: what the render stage receives."""

    site: SiteMeta
    summary: Summary
    classification: Classification
    diseases: Diseases
    tiers: Tiers
    evidence: EvidenceLevels
    treatments: list[Treatment]
    algorithm: Algorithm
    care: CarePage
    response: SitePage
    evaluation: Chapter
    focus: Chapter
    references: References
    glossary: Glossary
    changes: Changes
    leaflet: Leaflet
    moved: Moved

    @property
    def last_reviewed(self) -> dt.date:
        """The site-wide review date: the most recent review of any page."""
        dated = [*self.treatments, *(getattr(self, name) for name in type(self).model_fields)]
        return max(item.last_reviewed for item in dated if isinstance(getattr(item, "last_reviewed", None), dt.date))

    def reference(self, ref_id: str) -> Reference:
        return {ref.id: ref for ref in self.references.references}[ref_id]

    def reference_number(self, ref_id: str) -> int:
        return [ref.id for ref in self.references.references].index(ref_id) + 1

    def treatments_in_tier(self, tier_id: str) -> list[Treatment]:
        return [treatment for treatment in self.treatments if tier_id in treatment.tiers]

    def leaflet_parts(self) -> list:
        """The patient leaflet between its introduction and its questions (calcguide/content/leaflet.py)."""
        return leaflet_parts(self)

    def leaflet_references(self) -> list[Reference]:
        """The references the patient leaflet rests on, in the order it first cites them."""
        return [self.reference(ref_id) for ref_id in leaflet_references(self)]

    def evidence_level(self, level_id: str) -> EvidenceLevel:
        return {level.id: level for level in self.evidence.levels}[level_id]

    def tier(self, tier_id: str) -> Tier:
        return {tier.id: tier for tier in self.tiers.tiers}[tier_id]

    def treatment(self, treatment_id: str) -> Treatment:
        return {treatment.id: treatment for treatment in self.treatments}[treatment_id]

    def interactions_of(self, treatment_id: str) -> list[ShownInteraction]:
        """A treatment's interactions: those its file records and those other treatments record with it."""
        return interactions_of(self.treatments, treatment_id)

    def interactions_among(self, treatment_ids: list[str]) -> list[ShownInteraction]:
        """Interactions recorded between treatments that are all in `treatment_ids` (one algorithm box)."""
        return interactions_among(self.treatments, treatment_ids)

    def box_alerts(self, treatment_ids: list[str]) -> list[BoxAlert]:
        """The interaction alerts of one algorithm box (interactions among its treatments, merged per line)."""
        return box_alerts(self.treatments, treatment_ids)

    def page_references(self, treatment: Treatment) -> list[str]:
        """A treatment page's reference list: its own references, then those its safety section and its brands add."""
        added = [*safety_reference_ids(self.treatments, treatment.id), *(brand.source for brand in treatment.brands)]
        return [*treatment.references, *(ref for ref in dict.fromkeys(added) if ref not in treatment.references)]
