"""Cross-checks between files: ids unique and defined, citations resolved, the algorithm a drawable chart."""
from __future__ import annotations

import datetime as dt
import difflib
from pathlib import PurePosixPath
from typing import Any, Iterator

from .errors import ContentError
from .files import CONTENT_FILES, TREATMENTS_DIR
from .addresses import treatment_slug_errors
from .safety import check_safety
from .schema import Algorithm, Chapter, Tier, Treatment, chart_rows
from .source import Location, SourceFile
from .hygiene import citation_problems
from .leaflet import check_leaflet
from .text import CITATION, LANGS, cited_ids

_DEFINED_IN = {"reference": "the ids in references.yml", "treatment": f"the file names in {TREATMENTS_DIR}/",
               "tier": "the ids in tiers.yml", "evidence level": "the ids in evidence.yml",
               "glossary term": "the ids in glossary.yml",
               "page": ("a treatment id or one of the pages "
                        f"{', '.join(c.page for c in CONTENT_FILES if c.page)}")}

# What an editor pastes at the end of references.yml for a reference the guide cites but does not list yet: every
# field to fill from the record they read (an article's; README says what a label or a registry record needs).
REFERENCE_STUB = """  - id: {ident}
    language: en
    authors:
    title:
    journal:
    year:
    volume:
    pages:
    doi:
    checked:"""
# A brand's source is the product information or the medicines database entry that names it.
LABEL_STUB = """  - id: {ident}
    kind: label
    language: en
    title:
    holder:
    version:
    url:
    year:
    checked:"""


def review_tiers(tiers: list[Tier], review_id: str) -> set[str]:
    """The tiers whose description cites the 2014 review: the review proposes what they hold."""
    return {tier.id for tier in tiers
            if any(review_id in cited_ids(tier.description[lang]) for lang in LANGS)}


def where_it_may_go(tiers: list[Tier], from_review: set[str], review_id: str, problem: str) -> str:
    """`problem`, then where a treatment may go, for an editor who finds that no tier fits."""
    supportive = sorted(tier.id for tier in tiers if tier.supportive)
    other = sorted(tier.id for tier in tiers if tier.id not in from_review and not tier.supportive)
    places = [f"a treatment the 2014 review's abstract names (placement review-2014, status review-tier) goes in "
              f"the tier it proposes ({', '.join(sorted(from_review))})",
              f"any other treatment of the condition (status other-option) in {', '.join(other) or 'a tier that does not cite ' + review_id}"]
    places.append("a treatment of what the condition causes, such as digital ulcers, pain or infection (status "
                  "supportive-care), in " + (", ".join(supportive) if supportive else
                                              "a group of tiers.yml marked supportive: true (add one)"))
    return f"{problem}; where a treatment may go: " + "; ".join(places)


class IdIndex:
    """Where each id is defined, for duplicate and dangling-reference checks with locations."""

    def __init__(self) -> None:
        self.known: dict[str, dict[str, tuple[SourceFile, Location]]] = {}
        self.errors: list[ContentError] = []
        # A reference cited but not listed: one message for all its citations, at the first (`missing_references`).
        self.missing_references: dict[str, list[tuple[SourceFile, Location]]] = {}
        self.advice: dict[str, str] = {}  # kind of id → what to add to its unknown-id message

    def define(self, kind: str, ident: str, source: SourceFile, location: Location) -> None:
        table = self.known.setdefault(kind, {})
        if ident in table:
            first, first_location = table[ident]
            self.errors.append(source.error((*location, "id"), (
                f"duplicate {kind} id {ident!r}; already defined at {first.name}:{first.line_of(first_location)}"
            )))
        else:
            table[ident] = (source, location)

    def require(self, kind: str, ident: str | None, source: SourceFile, location: Location) -> None:
        if ident is None:
            return  # the field itself is wrong, and its own message says so
        if kind == "reference" and ident not in self.known.get(kind, {}):
            self.missing_references.setdefault(ident, []).append((source, location))
            return
        if ident not in self.known.get(kind, {}):
            known = sorted(self.known.get(kind, {}))
            close = difflib.get_close_matches(ident, known, n=3)
            where = {"treatment": f" (there is no file {TREATMENTS_DIR}/{ident}.yml)"}.get(kind, "")
            if close:
                hint = f"did you mean {' or '.join(repr(c) for c in close)}?"
            elif len(known) > 12:
                hint = f"check the spelling against {_DEFINED_IN.get(kind, 'the ids defined in content/')}"
            else:
                hint = "expected one of: " + ", ".join(known)
            advice = f"; {self.advice[kind]}" if kind in self.advice else ""
            self.errors.append(source.error(location, f"unknown {kind} id {ident!r}{where}; {hint}{advice}"))

    def missing_reference_errors(self) -> list[ContentError]:
        """One message per reference id cited but not in references.yml, at its first citation, with the entry
        to add (a misspelt id is named when one is very close)."""
        errors = []
        known = sorted(self.known.get("reference", {}))
        for ident, places in self.missing_references.items():
            source, location = places[0]
            also = ""
            first = f"{source.name}:{source.line_of(location)}"
            # A line that cites it twice is one place to correct.
            others = list(dict.fromkeys(f"{other.name}:{other.line_of(where)}" for other, where in places[1:]))
            others = [place for place in others if place != first]
            if others:
                more = f" and {len(others) - 3} more" if len(others) > 3 else ""
                also = f" (also cited at {', '.join(others[:3])}{more})"
            close = difflib.get_close_matches(ident, known, n=1, cutoff=0.9)
            spelling = f" (or, if you meant {close[0]!r}, correct the id where it is cited)" if close else ""
            errors.append(source.error(location, (
                f"unknown reference id {ident!r}{also}: references.yml does not list it; add it at the end "
                f"of references.yml, filled in from the record you read{spelling}:\n"
                + (LABEL_STUB if location[:1] == ("brands",) else REFERENCE_STUB).format(ident=ident))))
        return errors


def texts_in(value: Any, location: Location) -> Iterator[tuple[Location, str]]:
    """Every string inside a parsed YAML value, with its location."""
    if isinstance(value, str):
        yield location, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from texts_in(child, (*location, key))
    elif isinstance(value, list):
        for position, child in enumerate(value):
            yield from texts_in(child, (*location, position))


# The sections a box may link to, for the pages whose sections are content ids (`diseases#<a disease id>`).
_SECTION_IDS = {"diseases": "disease", "treatments": "tier", "classification": "classification type",
                "glossary": "glossary term"}
# The pages made of sections, whose section ids a box may link to as well (`care#infection`).
_SECTIONED_PAGES = ("care", "response", "evaluation", "focus")
_SECTION_IDS.update({page: f"{page} section" for page in _SECTIONED_PAGES})


def _check_algorithm(algorithm: Algorithm, source: SourceFile, index: IdIndex,
                     status: dict[str, str], broken_nodes: set[str] | None = None) -> None:
    """The ids the chart names; then, unless part of it did not validate (`broken_nodes` is not None), its shape."""
    node_ids = {node.id for node in algorithm.nodes}
    for position, node in enumerate(algorithm.nodes):
        index.define("algorithm node", node.id, source, ("nodes", position))
        if node.tier:
            index.require("tier", node.tier, source, ("nodes", position, "tier"))
        for item, treatment in enumerate(node.treatments):
            index.require("treatment", treatment, source, ("nodes", position, "treatments", item))
            # A treatment the guide no longer recommends stays off the decision path (issue 11).
            if status.get(treatment) == "no-longer-recommended":
                index.errors.append(source.error(("nodes", position, "treatments", item), (
                    f"{treatment!r} has status no-longer-recommended, so it cannot be a step of the algorithm; "
                    "list it under the box's no_longer_recommended instead")))
        for item, link in enumerate(node.pages):
            if link.section and link.page in _SECTION_IDS:
                index.require(_SECTION_IDS[link.page], link.section, source, ("nodes", position, "pages", item))
        if node.no_longer_recommended:
            for item, treatment in enumerate(node.no_longer_recommended.treatments):
                where = ("nodes", position, "no_longer_recommended", "treatments", item)
                index.require("treatment", treatment, source, where)
                if status.get(treatment) not in (None, "no-longer-recommended"):  # None: reported in its file
                    index.errors.append(source.error(where, (
                        f"{treatment!r} has status {status[treatment]}; only a treatment with status "
                        "no-longer-recommended belongs here")))
    for position, ref in enumerate(algorithm.key_references):
        index.require("reference", ref, source, ("key_references", position))
    if broken_nodes is not None:
        return
    successors: dict[str, list[str]] = {node: [] for node in node_ids}
    for position, edge in enumerate(algorithm.edges):
        for end, ident in (("from", edge.source), ("to", edge.target)):
            if ident not in node_ids:
                index.errors.append(source.error(("edges", position, end), (
                    f"the edge points to node {ident!r}, which does not exist; expected one of: {', '.join(sorted(node_ids))}"
                )))
        if edge.source in successors and edge.target in node_ids:
            successors[edge.source].append(edge.target)
    # A decision chart must read top to bottom: a cycle would send the reader round forever. (Depth-first, with a
    # stack of its own: a chain of a thousand boxes is an error to report, not a RecursionError.)
    state: dict[str, int] = {}
    for root in successors:
        if root in state:
            continue
        state[root] = 1
        path, pending = [root], [iter(successors[root])]
        cycle = None
        while pending and cycle is None:
            following = next(pending[-1], None)
            if following is None:
                state[path.pop()] = 2
                pending.pop()
            elif state.get(following) == 1:
                cycle = [*path[path.index(following):], following]
            elif following not in state:
                state[following] = 1
                path.append(following)
                pending.append(iter(successors[following]))
        if cycle:
            index.errors.append(source.error(("edges",), "the algorithm has a cycle: " + " → ".join(cycle)
                                             + "; expected a chart that only goes forward"))
            break
    # An answer must say which answer it is: every arrow out of a question carries a label.
    questions = {node.id for node in algorithm.nodes if node.kind == "question"}
    for position, edge in enumerate(algorithm.edges):
        if edge.source in questions and edge.label is None:
            index.errors.append(source.error(("edges", position), (
                f"the arrow from the question {edge.source!r} has no label; give the answer it stands for "
                "(label: {en: \"Yes\", fr: Oui})")))
    starts = [node for node in algorithm.nodes if node.kind == "start"]
    if len(starts) != 1:
        index.errors.append(source.error(("nodes",), f"expected exactly one node of kind start, found {len(starts)}"))
    if not any(error.field.startswith("edges") for error in index.errors if error.file == source.name):
        _check_chart_layout(algorithm, source, index)


# What the chart (templates/algorithm-chart.md.j2) can draw, on a screen and on one A4 page: boxes are lettered
# a to j within a row, and the rows are numbered steps.
MAX_BOXES_PER_ROW = 10
MAX_ROWS = 30


def _check_chart_layout(algorithm: Algorithm, source: SourceFile, index: IdIndex) -> None:
    """The chart is drawn in rows with straight vertical arrows (templates/algorithm-chart.md.j2): every node
    hangs from the start, an arrow joins neighbouring rows, and two rows of several boxes are joined box to box."""
    row = chart_rows(algorithm)
    width = {number: sum(1 for value in row.values() if value == number) for number in row.values()}
    first_of_row = {}
    for number, node in enumerate(algorithm.nodes):
        first_of_row.setdefault(row[node.id], number)
        if row[node.id] >= MAX_ROWS:
            index.errors.append(source.error(("nodes", number), (
                f"node {node.id!r} would be step {row[node.id] + 1} of the chart; the chart has at most {MAX_ROWS} "
                "steps from top to bottom (shorten the chain: put details in a box's text)")))
            return
    for number, count in sorted(width.items()):
        if count > MAX_BOXES_PER_ROW:
            index.errors.append(source.error(("nodes", first_of_row[number]), (
                f"row {number + 1} of the chart would hold {count} boxes side by side; a row holds at most "
                f"{MAX_BOXES_PER_ROW} (group some treatments into one box)")))
            return
    position = {node.id: sum(1 for other in algorithm.nodes[:index_] if row[other.id] == row[node.id])
                for index_, node in enumerate(algorithm.nodes)}
    for number, node in enumerate(algorithm.nodes):
        if node.kind != "start" and not algorithm.incoming(node.id):
            index.errors.append(source.error(("nodes", number), (
                f"no edge leads to node {node.id!r}; add an edge from the step that comes before it")))
    for number, edge in enumerate(algorithm.edges):
        above, below = row[edge.source], row[edge.target]
        if below != above + 1:
            index.errors.append(source.error(("edges", number), (
                f"the arrow from {edge.source!r} (row {above + 1}) to {edge.target!r} (row {below + 1}) would cross "
                "a row of the chart; lead it through the step in between")))
        elif width[above] > 1 and width[below] > 1 and (
                width[above] != width[below] or position[edge.source] != position[edge.target]):
            index.errors.append(source.error(("edges", number), (
                f"the arrow from {edge.source!r} to {edge.target!r} would cross the chart sideways; between two rows "
                "of several boxes, join each box to the box below it (same number of boxes, same order)")))


def cross_check(parsed: dict[str, Any], sources: dict[str, SourceFile],
                 treatments: list[tuple[Treatment, SourceFile]], invalid_treatments: list[str],
                 partial: dict[str, set[str]] | None = None) -> list[ContentError]:
    """Ids are unique and every id used somewhere is defined somewhere. `partial`: the files that did not
    validate (only what validates of them is in `parsed`), each with the ids of its items that did not; those ids
    count as defined, and the chart of a partial algorithm.yml is not checked for shape."""
    partial = partial or {}
    index = IdIndex()
    for content_file in CONTENT_FILES:
        if content_file.defines and parsed.get(content_file.name) is not None:
            kind, key = content_file.defines
            for position, item in enumerate(getattr(parsed[content_file.name], key)):
                index.define(kind, item.id, sources[content_file.name], (key, position))
    for content_file in CONTENT_FILES:
        if content_file.defines and content_file.name in partial:
            index.known.setdefault(content_file.defines[0], {}).update(
                {ident: (None, ()) for ident in partial[content_file.name]})
    for content_file in CONTENT_FILES:
        if content_file.page in _SECTIONED_PAGES and parsed.get(content_file.name) is not None:
            for position, section in enumerate(parsed[content_file.name].sections):
                if section.id is not None:
                    index.define(f"{content_file.page} section", section.id, sources[content_file.name],
                                 ("sections", position))
    for treatment, source in treatments:
        # By its file name, which is what other files name (a wrong `id:` inside is reported by the loader).
        index.define("treatment", PurePosixPath(source.name).stem, source, ())
    index.known.setdefault("treatment", {}).update({ident: (None, ()) for ident in invalid_treatments
                                                    if ident not in index.known.get("treatment", {})})
    if not all(parsed.get(name) is not None for name in ("references.yml", "tiers.yml", "evidence.yml")):
        return index.errors  # the ids to check against are unknown; the file errors already say why

    if parsed.get("site.yml") is not None and parsed["site.yml"].source_review:
        tiers, review = parsed["tiers.yml"].tiers, parsed["site.yml"].source_review
        index.advice["tier"] = where_it_may_go(tiers, review_tiers(tiers, review), review, "if no tier fits").removeprefix("if no tier fits; ")
    for treatment, source in treatments:
        for position, tier in enumerate(treatment.tiers):
            index.require("tier", tier, source, ("tiers", position))
        index.require("evidence level", treatment.evidence.level, source, ("evidence", "level"))
        # A placement that is itself wrong (None here) is reported at its own line.
        if treatment.status == "review-tier" and treatment.placement not in (None, "review-2014"):
            index.errors.append(source.error(("status",), (
                f"status review-tier means the 2014 review names it, but placement is {treatment.placement}; "
                "use status other-option, or placement review-2014")))
        for position, ref in enumerate(treatment.references):
            index.require("reference", ref, source, ("references", position))
        for position, brand in enumerate(treatment.brands):
            _check_brand_source(brand.source, parsed["references.yml"], source, ("brands", position, "source"), index)
        for position, interaction in enumerate(treatment.safety.interactions or [] if treatment.safety else []):
            if interaction.treatment:
                index.require("treatment", interaction.treatment, source, ("safety", "interactions", position, "treatment"))
    index.errors.extend(check_safety(treatments))
    index.errors.extend(treatment_slug_errors(treatments))
    index.errors.extend(check_leaflet(parsed, sources, treatments))
    if parsed.get("site.yml") is not None:
        index.require("reference", parsed["site.yml"].source_review, sources["site.yml"], ("source_review",))
    if parsed.get("algorithm.yml") is not None:
        status = {treatment.id: treatment.status for treatment, _ in treatments}
        _check_algorithm(parsed["algorithm.yml"], sources["algorithm.yml"], index, status,
                         partial.get("algorithm.yml"))
    for content_file in CONTENT_FILES:
        if isinstance(chapter := parsed.get(content_file.name), Chapter):
            for number, section in enumerate(chapter.sections):
                for item, treatment in enumerate(section.treatments):
                    index.require("treatment", treatment, sources[content_file.name],
                                  ("sections", number, "treatments", item))
    if parsed.get("changes.yml") is not None:
        _check_changes(parsed, sources, treatments, index)
    # Citations written inside texts: [@ref-id].
    every_source = [*(sources[name] for name in parsed if parsed[name] is not None), *(s for _, s in treatments)]
    reference_ids = sorted(index.known.get("reference", {}))
    for source in every_source:
        for location, text in texts_in(source.data, ()):
            for ref in cited_ids(text):
                index.require("reference", ref, source, location)
            # What looks like a citation but is not one would print as literal text: [@Surname-2014], [x-2014].
            if "[" in text or "@" in text:
                index.errors.extend(source.error(location, problem)
                                    for problem in citation_problems(text, CITATION, reference_ids))
    _check_review_dates(parsed, sources, treatments, index)
    return [*index.errors, *index.missing_reference_errors()]


def _check_brand_source(ref_id: str, references: Any, source: SourceFile, location: Location,
                        index: IdIndex) -> None:
    """A brand name is sourced by the product information or the medicines database entry that names it."""
    index.require("reference", ref_id, source, location)
    kind = next((ref.kind for ref in references.references if ref.id == ref_id), None)
    if kind is not None and kind not in ("label", "resource"):
        index.errors.append(source.error(location, (
            f"the brand's source {ref_id!r} is a reference of kind {kind}; a brand name is sourced by the label "
            "or the medicines database entry that names it (kind: label or kind: resource in references.yml)")))


def _check_changes(parsed: dict[str, Any], sources: dict[str, SourceFile],
                   treatments: list[tuple[Treatment, SourceFile]], index: IdIndex) -> None:
    """Every page named in changes.yml exists: a treatment, or the page of a content file."""
    for content_file in CONTENT_FILES:
        if content_file.page:
            index.known.setdefault("page", {})[content_file.page] = (None, ())
    for treatment, source in treatments:
        index.known["page"][treatment.id] = (source, ())
    source = sources["changes.yml"]
    for number, change in enumerate(parsed["changes.yml"].changes):
        for position, page in enumerate(change.pages):
            index.require("page", page, source, ("changes", number, "pages", position))


def _cited_by(source: SourceFile, value: Any) -> set[str]:
    """The references a page cites: [@id] in its texts, and its lists of references."""
    cited = {ref for _, text in texts_in(source.data, ()) for ref in cited_ids(text)}
    for key in ("references", "key_references"):
        listed = getattr(value, key, None)
        if isinstance(listed, list):
            cited.update(item if isinstance(item, str) else item.id for item in listed)
    cited.update(brand.source for brand in getattr(value, "brands", []))  # a brand is shown with its source
    return cited


def _check_review_dates(parsed: dict[str, Any], sources: dict[str, SourceFile],
                        treatments: list[tuple[Treatment, SourceFile]], index: IdIndex) -> None:
    """A page cannot have been reviewed before the sources it cites were checked: `checked` of every reference
    it cites is no later than its own `last_reviewed`."""
    if parsed.get("references.yml") is None:
        return
    references = {ref.id: (ref, position) for position, ref in enumerate(parsed["references.yml"].references)}
    pages = [(value, sources[name]) for name, value in parsed.items()
             if value is not None and isinstance(getattr(value, "last_reviewed", None), dt.date)]
    for value, source in [*pages, *((treatment, source) for treatment, source in treatments)]:
        later = sorted((references[ref][0].checked, ref) for ref in _cited_by(source, value)
                       if ref in references and references[ref][0].checked > value.last_reviewed)
        if later:
            where = sources["references.yml"]
            listed = ", ".join(f"{ref} ({checked.isoformat()}, references.yml:"
                               f"{where.line_of(('references', references[ref][1], 'checked'))})"
                               for checked, ref in later)
            index.errors.append(source.error(("last_reviewed",), (
                f"this page was reviewed on {value.last_reviewed.isoformat()}, before these references it cites "
                f"were checked: {listed}; review the page against them and set last_reviewed to that day "
                f"({later[-1][0].isoformat()} or later)")))
