"""The content schema: one pydantic model per kind of content, and `Guide`, all of content/ validated."""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from .safety import (BoxAlert, Safety, ShownInteraction, box_alerts, interactions_among, interactions_of,
                     safety_reference_ids)
from .publishing import Changes, Contact, Editor
from .text import Doi, Id, Model, NonEmpty, Text, Version, Words

class Section(Model):
    id: Id
    title: Text
    body: Text


class KeyMessage(Model):
    text: Text


class SitePage(Model):
    """A page made of sections (home summary, care, response assessment)."""

    title: Text
    last_reviewed: dt.date  # shown under the title; no reference it cites may be checked later than this
    intro: Text | None = None
    sections: list[Section] = []


class ChapterSection(Section):
    # The treatment pages this section discusses, linked under its text (checked against content/treatments/).
    treatments: list[Id] = []


class Chapter(Model):
    """A clinical chapter of sections that point to the treatment pages they discuss (evaluation, juvenile
    dermatomyositis)."""

    title: Text
    last_reviewed: dt.date  # shown under the title; no reference it cites may be checked later than this
    intro: Text | None = None
    sections: list[ChapterSection] = Field(min_length=1)


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


class Summary(SitePage):
    key_messages: list[KeyMessage] = Field(min_length=1)


SerumStatus = Literal["normal", "abnormal", "variable", "high-phosphate"]


class CalcinosisType(Model):
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
    types: list[CalcinosisType] = Field(min_length=1)
    sections: list[Section] = []


class Disease(Model):
    id: Id
    name: Text
    frequency: Text
    risk_factors: Text
    notes: Text | None = None


class Diseases(Model):
    title: Text
    last_reviewed: dt.date
    intro: Text
    diseases: list[Disease] = Field(min_length=1)


Indication = Literal["localized", "disseminated", "complication"]


class Tier(Model):
    id: Id
    name: Text
    description: Text


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
# outside those tiers (not named in the review's abstract, or published later), or no longer recommended.
Status = Literal["review-tier", "other-option", "no-longer-recommended"]


class PatientCount(Model):
    """How many treated patients the studies cited for a treatment report, per study: one number, or the smallest
    and the largest study; `unknown` when the cited sources give no count. Never a number of studies."""

    smallest: int | None = None
    largest: int | None = None

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
            match = re.fullmatch(r"\s*(\d+)\s*(?:[–-]\s*(\d+)\s*)?", value)
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


class Treatment(Model):
    id: Id
    name: Text
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
    references: list[Id] = Field(min_length=1)
    search_terms: Words = Words()
    # Required for every treatment, with the fields of its kind (checked in safety.check_safety, with locations).
    safety: Safety | None = None
    last_reviewed: dt.date  # shown under the title; no reference it cites may be checked later than this


NodeKind = Literal["start", "question", "action"]


# The pages of the guide, other than treatments, that a box of the algorithm may link to (by kind of page, as
# calcguide/render.py plans them); add a kind here when a new page should be reachable from the chart.
PageKind = Literal["classification", "diseases", "care", "assessment", "treatments", "glossary"]


class PageLink(Model):
    """A link from a box to a page of the guide, optionally to one section of it: `diseases` or
    `diseases#juvenile-dermatomyositis`."""

    page: PageKind
    section: Id | None = None

    @model_validator(mode="before")
    @classmethod
    def from_editor_form(cls, value: Any) -> Any:
        if isinstance(value, str):
            page, _, section = value.partition("#")
            return {"page": page, **({"section": section} if section else {})}
        return value


class SetAside(Model):
    """Treatments taken off the decision path (status no-longer-recommended), named in the box where a reader
    would look for them, with why, apart from the box's treatments."""

    detail: Text
    treatments: list[Id] = Field(min_length=1)


class AlgorithmNode(Model):
    id: Id
    kind: NodeKind
    label: Text
    detail: Text | None = None
    tier: Id | None = None
    treatments: list[Id] = []
    pages: list[PageLink] = []
    no_longer_recommended: SetAside | None = None


class AlgorithmEdge(Model):
    source: Id = Field(alias="from")
    target: Id = Field(alias="to")
    label: Text | None = None


class Algorithm(Model):
    title: Text
    last_reviewed: dt.date
    intro: Text
    nodes: list[AlgorithmNode] = Field(min_length=1)
    edges: list[AlgorithmEdge] = []
    # The few references a printed handout lists (it has no room for every citation of the chart and table).
    key_references: list[Id] = []

    def rows(self) -> list[list[AlgorithmNode]]:
        """The chart drawn top to bottom: a node sits one row below its lowest predecessor; the nodes of a row
        keep their order in the file (left to right). Only for a validated chart (no cycle)."""
        row = chart_rows(self)
        return [[node for node in self.nodes if row[node.id] == number] for number in sorted(set(row.values()))]

    def outgoing(self, node_id: str) -> list[AlgorithmEdge]:
        return [edge for edge in self.edges if edge.source == node_id]

    def incoming(self, node_id: str) -> list[AlgorithmEdge]:
        return [edge for edge in self.edges if edge.target == node_id]

    def branches(self, node_id: str) -> list[tuple[Text | None, list[str]]]:
        """The ways out of a box, neighbouring edges with the same answer grouped: [(Yes, [a, b]), (No, [c])]."""
        groups: list[tuple[Text | None, list[str]]] = []
        for edge in self.outgoing(node_id):
            if groups and groups[-1][0] == edge.label:
                groups[-1][1].append(edge.target)
            else:
                groups.append((edge.label, [edge.target]))
        return groups


def chart_rows(algorithm: Algorithm) -> dict[str, int]:
    """The row of every node: the length of the longest path that leads to it (0 for the start)."""
    row = {node.id: 0 for node in algorithm.nodes}
    for _ in algorithm.nodes:  # longest paths settle in at most one pass per node, since there is no cycle
        for edge in algorithm.edges:
            if edge.source in row and edge.target in row:
                row[edge.target] = max(row[edge.target], row[edge.source] + 1)
    return row


class Reference(Model):
    """An article (DOI or PMID); product information (`kind: label`: a drug label or SmPC, named by its holder, its
    date or version, and a stable https address or identifier); or a reference resource kept by a public body
    (`kind: resource`: a teratology or lactation database, an agency's page), described like a label; or a trial
    registry record (`kind: registration`: its sponsor as holder, registry and date as version, its identifier)."""

    id: Id
    kind: Literal["article", "label", "resource", "registration"] = "article"  # registration: a trial registry record
    authors: NonEmpty | None = None  # required for an article
    title: NonEmpty
    journal: NonEmpty | None = None  # required for an article
    year: Annotated[int, Field(ge=1900, le=2100)]
    volume: NonEmpty | None = None
    pages: NonEmpty | None = None
    doi: Doi | None = None
    pmid: Annotated[int, Field(ge=1, le=99_999_999)] | None = None
    # PubMed Central id, for an article whose DOI and PMID could not be confirmed in the records consulted.
    pmcid: Annotated[str, StringConstraints(pattern=r"^PMC[0-9]{1,10}$")] | None = None
    # label: the marketing authorisation holder; resource: the body that keeps it; registration: the sponsor
    holder: NonEmpty | None = None
    version: NonEmpty | None = None  # label: its date of revision or version, as printed on it
    url: Annotated[str, StringConstraints(pattern=r"^https://[^\s<>\"'{}|\\^`]+$")] | None = None
    identifier: NonEmpty | None = None  # label: e.g. DailyMed set id, EMA product number, CIS code (BDPM)
    checked: dt.date
    note: Text | None = None

    @field_validator("pmid", mode="before")
    @classmethod
    def pmid_is_digits(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError("PMID must be written as a number of 1 to 8 digits, without quotes")
        return value

    @model_validator(mode="after")
    def has_an_identifier(self) -> "Reference":
        if self.kind in ("label", "resource", "registration"):
            missing = [name for name in ("holder", "version") if getattr(self, name) is None]
            if self.url is None and self.identifier is None:
                missing.append("url (https://…) or identifier")
            if missing:
                raise ValueError(f"a reference of kind {self.kind} needs " + ", ".join(missing))
            return self
        missing = [name for name in ("authors", "journal") if getattr(self, name) is None]
        if missing:
            raise ValueError(f"{missing[0]}: this field is required for an article (for a drug label or SmPC, "
                             "write kind: label)")
        if self.doi is None and self.pmid is None and self.pmcid is None:
            raise ValueError("a reference needs a doi or a pmid (or both), or failing them a pmcid")
        return self


class References(Model):
    last_reviewed: dt.date  # of the list as a whole: no later than it, every `checked` date
    checked_with: Text
    references: list[Reference] = Field(min_length=1)


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
    care: SitePage
    assessment: SitePage
    evaluation: Chapter
    jdm: Chapter
    references: References
    glossary: Glossary
    changes: Changes

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
        """A treatment page's reference list: its own references, then those its safety section adds."""
        return [*treatment.references,
                *(ref for ref in safety_reference_ids(self.treatments, treatment.id) if ref not in treatment.references)]
