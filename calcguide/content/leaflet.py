"""The patient leaflet: its own file (content/leaflet.yml) and the plain-language texts (`patient:`) written
beside the clinical texts they rest on, in summary.yml, tiers.yml, the treatment files and care.yml.

A patient text sits next to the clinical sentence it retells, so that an editor who changes one sees the other;
it cites the same references, which the leaflet lists at its end instead of in its text. `leaflet_parts` is
the one place that says what the leaflet shows and in which order; the page, the PDF and the reference list at
its end all read it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import Field

from .errors import ContentError
from .source import SourceFile
from .text import Model, Text, cited_ids

if TYPE_CHECKING:
    from .schema import Guide, Treatment


class PatientText(Model):
    """A part of the leaflet in plain words: a title a patient would ask, and the answer. Citations in the
    body are not printed in it: the leaflet lists its sources at the end."""

    title: Text
    body: Text


class Questions(Model):
    title: Text
    items: list[Text] = Field(min_length=1)


class Leaflet(Model):
    """content/leaflet.yml: what belongs to the leaflet alone (its title, who it is for, the questions to ask the
    doctor, its last word); the rest comes from the `patient:` texts of the other files."""

    title: Text
    last_reviewed: dt.date
    intro: Text
    questions: Questions
    closing: Text


@dataclass(frozen=True)
class LeafletItem:
    """A treatment inside a part: its name and its patient text."""

    name: Text
    body: Text


@dataclass(frozen=True)
class LeafletPart:
    title: Text
    body: Text
    items: tuple[LeafletItem, ...] = ()


def leaflet_parts(guide: "Guide") -> list[LeafletPart]:
    """The leaflet between its introduction and its questions, in reading order: what the condition is and how it
    is treated (summary.yml), each tier that has a patient text with its treatments (tiers.yml, treatments/),
    then what to watch for and do at home (care.yml)."""
    parts = [LeafletPart(section.patient.title, section.patient.body)
             for section in guide.summary.sections if section.patient]
    for tier in guide.tiers.tiers:
        if tier.patient:
            items = tuple(LeafletItem(treatment.name, treatment.patient)
                          for treatment in shown_treatments(guide.treatments_in_tier(tier.id)))
            parts.append(LeafletPart(tier.patient.title, tier.patient.body, items))
    parts += [LeafletPart(section.patient.title, section.patient.body)
              for section in guide.care.sections if section.patient]
    return parts


def shown_treatments(treatments: list["Treatment"]) -> list["Treatment"]:
    """The treatments of a tier that the leaflet names: never one the guide no longer recommends."""
    return [treatment for treatment in treatments if treatment.status != "no-longer-recommended"]


def leaflet_texts(guide: "Guide") -> list[Text]:
    """Every text the leaflet prints, in reading order."""
    texts = [guide.leaflet.title, guide.leaflet.intro]
    for part in leaflet_parts(guide):
        texts += [part.title, part.body, *(text for item in part.items for text in (item.name, item.body))]
    return [*texts, guide.leaflet.questions.title, *guide.leaflet.questions.items, guide.leaflet.closing]


def leaflet_references(guide: "Guide") -> list[str]:
    """The references the leaflet rests on, in the order it first cites them (both languages cite the same)."""
    cited: dict[str, None] = {}
    for text in leaflet_texts(guide):
        for lang_text in (text.en, text.fr):
            cited.update((ref, None) for ref in cited_ids(lang_text))
    return list(cited)


def check_leaflet(parsed: dict[str, Any], sources: dict[str, SourceFile],
                  treatments: list[tuple["Treatment", SourceFile]]) -> list[ContentError]:
    """A tier with a patient text names each of its treatments in the leaflet, so each needs one; a treatment's
    patient text shows only under a tier that has one."""
    tiers = parsed.get("tiers.yml")
    if tiers is None:
        return []
    with_text = {tier.id for tier in tiers.tiers if tier.patient}
    known = {tier.id for tier in tiers.tiers}
    errors = []
    for treatment, source in treatments:
        shown = bool(shown_treatments([treatment])) and any(tier in with_text for tier in treatment.tiers)
        if shown and treatment.patient is None:
            tier = next(tier for tier in treatment.tiers if tier in with_text)
            errors.append(source.error(("patient",), (
                f"missing: tier {tier!r} has a patient text (tiers.yml), so the patient leaflet names each of its "
                "treatments; write what this treatment can do and its main cautions in plain words, in both "
                "languages, with their citations")))
        elif not shown and treatment.patient is not None and set(treatment.tiers) <= known:
            # (A tier that does not exist is reported as such; where the text would show waits for the right one.)
            errors.append(source.error(("patient",), (
                "the patient leaflet would not show it: none of this treatment's tiers has a patient text in "
                "tiers.yml (and a treatment no longer recommended is never shown); give the tier one, or remove "
                "this text")))
    return errors
