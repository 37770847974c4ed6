"""The treatment algorithm's schema: boxes, arrows, links to pages, and the rows the chart is drawn in."""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import Field, model_validator

from .text import Id, Model, Text


NodeKind = Literal["start", "question", "action"]


# The pages of the guide, other than treatments, that a box of the algorithm may link to (by kind of page, as
# calcguide/render.py plans them); add a kind here when a new page should be reachable from the chart.
PageKind = Literal["classification", "diseases", "care", "response", "treatments", "glossary", "evaluation", "focus",
                   "safety"]


class PageLink(Model):
    """A link from a box to a page of the guide, optionally to one section of it: `diseases` or
    `diseases#<a disease id>`."""

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
    # Far above a chart that fits one A4 page, and low enough that checking the chart stays instant.
    nodes: list[AlgorithmNode] = Field(min_length=1, max_length=100)
    edges: list[AlgorithmEdge] = Field([], max_length=300)
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
        changed = False
        for edge in algorithm.edges:
            if edge.source in row and edge.target in row and row[edge.target] < row[edge.source] + 1:
                row[edge.target] = row[edge.source] + 1
                changed = True
        if not changed:
            break
    return row
