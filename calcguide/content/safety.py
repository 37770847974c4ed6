"""Drug safety as checked data: the `safety:` block of a treatment, and the checks that it is complete.

A drug (`kind: drug`) must say, each with a reference, what its contraindications are, what to do in pregnancy
and breastfeeding, with reduced kidney or liver function, in children, what to monitor, and which interactions
matter. A local treatment or a procedure says less: its contraindications, pregnancy, and what to check before
it (anticoagulants and antiplatelets, digital ischaemia, infection). A field that does not apply is written
anyway, saying so with its source, so that a missing field always means a forgotten one.

The pydantic models check the shape and that every text cites a reference; `check_safety` checks that a
treatment has every field its kind requires, and that an interaction with another treatment of the guide is
written once (on either page) and shown on both (`interactions_of`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from pydantic import Field, model_validator

from .errors import ContentError
from .text import LANGS, Id, Model, Text, cited_ids

if TYPE_CHECKING:  # schema.py imports this module; the types are only for annotations
    from .schema import Treatment
    from .source import SourceFile


class CitedText(Text):
    """A safety statement: both languages, each citing at least one reference ([@ref-id])."""

    @model_validator(mode="after")
    def cites_a_reference(self) -> "CitedText":
        for lang in LANGS:
            if not any(cited_ids(self[lang])):
                raise ValueError(f"the {lang} text cites no reference; every safety statement needs its source, "
                                 "e.g. [@drug-label] (a field that does not apply says so, with its source)")
        return self


class Interaction(Model):
    """One interaction: with a drug or class outside the guide (`with`), or with another treatment of the guide
    (`treatment`, its id), written once and shown on both treatments' pages."""

    other: Text | None = Field(None, alias="with")
    treatment: Id | None = None
    mechanism: CitedText
    # What to do: written once and shown word for word wherever the interaction appears (both treatment pages,
    # Safety at a glance, every algorithm box and handout that lists both treatments), so keep it short.
    action: CitedText
    # Accepted only to be refused with a message: a shorter line for the boxes is how the box and the page came
    # to give different advice (issue 22).
    summary: Text | None = None

    @model_validator(mode="after")
    def names_one_partner(self) -> "Interaction":
        if (self.other is None) == (self.treatment is None):
            raise ValueError("an interaction names either 'with:' (a drug or class outside the guide, in both "
                             "languages) or 'treatment:' (the id of another treatment of the guide), not both")
        return self

    @model_validator(mode="after")
    def has_no_summary(self) -> "Interaction":
        if self.summary is not None:
            raise ValueError("summary: an interaction has no summary, since a summary leaves out the action; every "
                             "view (algorithm box, handout, Safety at a glance) shows the action word for word, so "
                             "delete summary and write the action short enough for a box")
        return self


class SafetyShort(Model):
    """The same safety facts in one short line each, for "Before prescribing" at the top of a drug page and for
    "Safety at a glance" (issue 23): said from the field's own text, with the same sources, each line linking to
    the field in full. Interactions have no short form: their action shows word for word everywhere."""

    contraindications: CitedText
    pregnancy: CitedText  # pregnancy, contraception and breastfeeding, as the two fields say them
    kidney: CitedText
    monitoring: CitedText


class Safety(Model):
    """Every field a treatment may have; which ones are required depends on its kind (REQUIRED)."""

    contraindications: CitedText | None = None
    pregnancy: CitedText | None = None  # pregnancy, and contraception where it matters
    breastfeeding: CitedText | None = None
    kidney: CitedText | None = None
    liver: CitedText | None = None
    children: CitedText | None = None
    monitoring: CitedText | None = None  # baseline and follow-up tests
    before_treatment: CitedText | None = None  # before an injection, excision or session: bleeding, ischaemia
    interactions: list[Interaction] | None = None
    # Shown beside the regimen, e.g. when a reported dose is above the usual labelled maximum.
    dose_note: CitedText | None = None
    # A drug's short lines ("Before prescribing", "Safety at a glance"); required for a drug.
    short: SafetyShort | None = None

    def statements(self) -> list[tuple[str, CitedText]]:
        """The fields written, in reading order, as (field name, text): what a page shows."""
        return [(name, getattr(self, name)) for name in FIELD_ORDER if getattr(self, name) is not None]


FIELD_ORDER = ("contraindications", "pregnancy", "breastfeeding", "kidney", "liver", "children", "monitoring",
               "before_treatment")
# What each kind of treatment must say. Interactions are a non-empty list for a drug.
REQUIRED: dict[str, tuple[str, ...]] = {
    "drug": ("contraindications", "pregnancy", "breastfeeding", "kidney", "liver", "children", "monitoring",
             "interactions", "short"),
    "local": ("contraindications", "pregnancy", "before_treatment"),
    "procedure": ("contraindications", "pregnancy", "before_treatment"),
}
_WHAT = {
    "contraindications": "the contraindications",
    "pregnancy": "what to do in pregnancy (and contraception where it matters)",
    "breastfeeding": "what to do during breastfeeding",
    "kidney": "what to do with reduced kidney function",
    "liver": "what to do with reduced liver function",
    "children": "what applies to children",
    "monitoring": "the tests before and during treatment",
    "before_treatment": "what to check before it (anticoagulants, antiplatelets, digital ischaemia, infection)",
    "interactions": "the interactions, at least one (- with: … or - treatment: …, with mechanism: and action:)",
    "short": ("one short line each of contraindications, pregnancy, kidney and monitoring (short: with those four "
              "keys), said from the full fields with their sources, for 'Before prescribing' and 'Safety at a glance'"),
}


def check_safety(treatments: Iterable[tuple["Treatment", "SourceFile"]]) -> list[ContentError]:
    """Every treatment has the safety fields of its kind; an interaction between two treatments is written once,
    never with the treatment itself. (Whether `treatment:` names a real treatment is the id cross-check's job.)"""
    errors: list[ContentError] = []
    pairs: dict[frozenset[str], tuple["SourceFile", tuple]] = {}
    for treatment, source in treatments:
        safety = treatment.safety
        if safety is None:
            errors.append(source.error(("safety",), (
                f"a treatment of kind {treatment.kind} needs a safety: block at the end of its file, with "
                + ", ".join(REQUIRED[treatment.kind]) + " (see README, 'Editing the content')")))
            continue
        for name in REQUIRED[treatment.kind]:
            value = getattr(safety, name)
            if value is None or (name == "interactions" and not value):
                errors.append(source.error(("safety", name), (
                    f"missing: a treatment of kind {treatment.kind} must state {_WHAT[name]}, with its source; "
                    "if it does not apply, say so with the source")))
        for position, interaction in enumerate(safety.interactions or []):
            if interaction.treatment is None:
                continue
            location = ("safety", "interactions", position, "treatment")
            if interaction.treatment == treatment.id:
                errors.append(source.error(location, "an interaction of a treatment with itself; name the other one"))
                continue
            pair = frozenset((treatment.id, interaction.treatment))
            if pair in pairs:
                first, first_location = pairs[pair]
                errors.append(source.error(location, (
                    f"the interaction {treatment.id}–{interaction.treatment} is already written at "
                    f"{first.name}:{first.line_of(first_location)}; write it once (it shows on both pages)")))
            else:
                pairs[pair] = (source, location)
    return errors


@dataclass(frozen=True)
class ShownInteraction:
    """An interaction as one treatment's page shows it: the text, and the other treatment when it is one of the
    guide's (None for a drug or class outside the guide, named by `interaction.other`)."""

    interaction: Interaction
    owner: str  # the id of the treatment whose file records it
    partner: str | None  # the id of the other treatment of the guide, if any

    def other_than(self, treatment_id: str) -> str | None:
        """The treatment of the guide on the other side, seen from `treatment_id`."""
        if self.partner is None:
            return None
        return self.partner if self.owner == treatment_id else self.owner


def interactions_of(treatments: Iterable["Treatment"], treatment_id: str) -> list[ShownInteraction]:
    """What a treatment's page shows: its own interactions, then those other treatments record with it."""
    treatments = list(treatments)
    own = [ShownInteraction(interaction, treatment.id, interaction.treatment)
           for treatment in treatments if treatment.id == treatment_id and treatment.safety
           for interaction in treatment.safety.interactions or []]
    recorded_elsewhere = [ShownInteraction(interaction, treatment.id, interaction.treatment)
                          for treatment in treatments if treatment.id != treatment_id and treatment.safety
                          for interaction in treatment.safety.interactions or []
                          if interaction.treatment == treatment_id]
    return own + recorded_elsewhere


def interactions_among(treatments: Iterable["Treatment"], ids: Iterable[str]) -> list[ShownInteraction]:
    """The interactions recorded between treatments that are all in `ids` (e.g. the treatments of one box of the
    algorithm), each once, in the order of `ids`."""
    ids = list(ids)
    found: list[ShownInteraction] = []
    for treatment in sorted((t for t in treatments if t.id in ids), key=lambda t: ids.index(t.id)):
        for interaction in (treatment.safety.interactions or []) if treatment.safety else []:
            if interaction.treatment in ids:
                found.append(ShownInteraction(interaction, treatment.id, interaction.treatment))
    return found


@dataclass(frozen=True)
class BoxAlert:
    """One alert of an algorithm box: a treatment, the treatments of the box it interacts with, and the action to
    show, word for word."""

    owner: str
    partners: tuple[str, ...]
    text: CitedText


def box_alerts(treatments: Iterable["Treatment"], ids: Iterable[str]) -> list[BoxAlert]:
    """The interactions among the treatments of one box, those of one treatment with the same action merged into
    one alert (a printed box has room for few lines)."""
    alerts: dict[tuple[str, CitedText], list[str]] = {}
    for shown in interactions_among(treatments, ids):
        alerts.setdefault((shown.owner, shown.interaction.action), []).append(shown.partner)
    return [BoxAlert(owner, tuple(partners), text) for (owner, text), partners in alerts.items()]


def safety_reference_ids(treatments: Iterable["Treatment"], treatment_id: str) -> list[str]:
    """The references a treatment page's safety section cites (its own block, and the interactions other
    treatments record with it), in order of first citation, each once."""
    treatments = list(treatments)
    texts: list[CitedText] = []
    for treatment in treatments:
        if treatment.id == treatment_id and treatment.safety:
            texts.extend(text for _, text in treatment.safety.statements())
            if treatment.safety.dose_note:
                texts.append(treatment.safety.dose_note)
            if treatment.safety.short:
                texts.extend(getattr(treatment.safety.short, name) for name in type(treatment.safety.short).model_fields)
    for shown in interactions_of(treatments, treatment_id):
        texts.extend((shown.interaction.mechanism, shown.interaction.action))
    found: list[str] = []
    for text in texts:
        for lang in LANGS:
            found.extend(ref for ref in cited_ids(text[lang]) if ref not in found)
    return found
