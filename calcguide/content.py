"""The content schema (pydantic models) and the loader that turns content/*.yml into one validated `Guide`.

Every mistake becomes a `ContentError` that knows its file, line and field; `load_guide` gathers all of them
before raising, so an editor sees every problem of a run at once, like a compiler.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Iterator, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

LANGS: tuple[str, ...] = ("en", "fr")
Lang = Literal["en", "fr"]

# Links in content may only leave for the web over http(s); anything else (javascript:, data:) is refused.
# Inline links and images `[text](target)`, and reference definitions `[label]: target` on a line of their own.
LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)|^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]*)", re.MULTILINE)
SAFE_LINK = re.compile(r"^(https?://|#)")  # case-sensitive on purpose: `JaVaScRiPt:` is refused too
HTML_TAG = re.compile(r"<\s*[a-zA-Z/!?]")  # also Markdown autolinks <javascript:…>, which are tags to Markdown
HTML_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);")
# Python-Markdown's attr_list syntax: `{ onclick="…" }` after a word or a paragraph sets any HTML attribute.
ATTRIBUTE_LIST = re.compile(r"\{:?[ ]*[^}\n ][^}\n]*[ ]*\}")
SNIPPET = re.compile(r"-+8<-+")  # pymdownx.snippets would paste in another file


def no_live_markup(value: str) -> str:
    """Content is Markdown that becomes HTML: refuse whatever could put live markup in a page."""
    if HTML_TAG.search(value):
        raise ValueError("HTML (text between < and >) is not allowed in content; write Markdown instead "
                         "(**bold**, *italic*, [text](https://…)), and 'less than' or 'greater than' as words or ≤ ≥")
    if HTML_ENTITY.search(value):
        raise ValueError(f"HTML character codes such as {HTML_ENTITY.search(value).group(0)!r} are not allowed; "
                         "type the character itself")
    if ATTRIBUTE_LIST.search(value):
        raise ValueError("curly braces { … } are not allowed in content (they would set HTML attributes); "
                         "use round brackets ( … ) instead")
    if SNIPPET.search(value):
        raise ValueError("the marker --8<-- is not allowed in content (it would paste in another file)")
    for inline, reference in LINK_TARGET.findall(value):
        target = inline or reference
        if target and not SAFE_LINK.match(target):
            raise ValueError(f"link target {target!r} is not allowed; links must start with https:// or http://")
    return value


Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
# Every text of content/ ends up in a page, so every text is checked for live markup.
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(no_live_markup)]
# The suffix may hold brackets (10.1016/s0022-3476(83)80706-9) but nothing that would break out of a URL.
Doi = Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/[^\s<>\"'{}|\\^`\[\]]+$")]

# `[@ref-id]` or `[@one; @two]` inside any text cites references by id.
CITATION = re.compile(r"\[@([a-z0-9][a-z0-9-]*(?:\s*;\s*@[a-z0-9][a-z0-9-]*)*)\]")


def cited_ids(text: str) -> Iterator[str]:
    for match in CITATION.finditer(text):
        for part in match.group(1).split(";"):
            yield part.strip().lstrip("@")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Text(Model):
    """One human-readable text in both languages; both are required and non-empty."""

    en: NonEmpty
    fr: NonEmpty

    def __getitem__(self, lang: str) -> str:
        return getattr(self, lang)


class Words(Model):
    """Search words (synonyms, variants) per language; either list may be empty."""

    en: list[NonEmpty] = []
    fr: list[NonEmpty] = []

    def __getitem__(self, lang: str) -> list[str]:
        return getattr(self, lang)


class Section(Model):
    id: Id
    title: Text
    body: Text


class KeyMessage(Model):
    text: Text


class SitePage(Model):
    """A page made of sections (home summary, care, response assessment)."""

    title: Text
    intro: Text | None = None
    sections: list[Section] = []


class SiteMeta(Model):
    title: Text
    short_title: Text
    version: NonEmpty
    last_reviewed: dt.date
    site_url: Annotated[str, StringConstraints(pattern=r"^https?://\S+/$")]
    source_review: Id
    disclaimer: Text
    method: Text
    how_to_cite: Text
    authors: Text


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
    intro: Text
    diseases: list[Disease] = Field(min_length=1)


Indication = Literal["localized", "disseminated", "complication"]


class Tier(Model):
    id: Id
    name: Text
    description: Text


class Tiers(Model):
    title: Text
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


class Evidence(Model):
    level: Id
    patients: NonEmpty
    summary: Text


class Treatment(Model):
    id: Id
    name: Text
    kind: Literal["drug", "local", "procedure"]
    drug_class: Text
    tiers: list[Id] = Field(min_length=1)
    placement: Placement
    indications: list[Indication] = Field(min_length=1)
    summary: Text
    mechanism: Text
    regimen: Text
    evidence: Evidence
    response: Text
    cautions: Text
    references: list[Id] = Field(min_length=1)
    search_terms: Words = Words()
    discouraged: bool = False


NodeKind = Literal["start", "question", "action"]


class AlgorithmNode(Model):
    id: Id
    kind: NodeKind
    label: Text
    detail: Text | None = None
    tier: Id | None = None
    treatments: list[Id] = []


class AlgorithmEdge(Model):
    source: Id = Field(alias="from")
    target: Id = Field(alias="to")
    label: Text | None = None


class Algorithm(Model):
    title: Text
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


def chart_rows(algorithm: Algorithm) -> dict[str, int]:
    """The row of every node: the length of the longest path that leads to it (0 for the start)."""
    row = {node.id: 0 for node in algorithm.nodes}
    for _ in algorithm.nodes:  # longest paths settle in at most one pass per node, since there is no cycle
        for edge in algorithm.edges:
            if edge.source in row and edge.target in row:
                row[edge.target] = max(row[edge.target], row[edge.source] + 1)
    return row


class Reference(Model):
    id: Id
    authors: NonEmpty
    title: NonEmpty
    journal: NonEmpty
    year: Annotated[int, Field(ge=1900, le=2100)]
    volume: NonEmpty | None = None
    pages: NonEmpty | None = None
    doi: Doi | None = None
    pmid: Annotated[int, Field(ge=1, le=99_999_999)] | None = None
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
        if self.doi is None and self.pmid is None:
            raise ValueError("a reference needs a doi or a pmid (or both)")
        return self


class References(Model):
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
    references: References
    glossary: Glossary

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


# The single-document files of content/ and the model each one holds; treatments/ holds one file per treatment.
DOCUMENTS: dict[str, type[Model]] = {
    "site.yml": SiteMeta,
    "summary.yml": Summary,
    "classification.yml": Classification,
    "diseases.yml": Diseases,
    "tiers.yml": Tiers,
    "evidence.yml": EvidenceLevels,
    "algorithm.yml": Algorithm,
    "care.yml": SitePage,
    "assessment.yml": SitePage,
    "references.yml": References,
    "glossary.yml": Glossary,
}
TREATMENTS_DIR = "treatments"


# --- errors ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class ContentError:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field or '(file)'}: {self.message}"


class ContentErrors(Exception):
    def __init__(self, errors: list[ContentError]):
        super().__init__(f"{len(errors)} content error(s)")
        self.errors = sorted(set(errors))


# --- reading YAML with positions ------------------------------------------------------------------------------

Path_ = tuple[str | int, ...]


class SourceFile:
    """One YAML file: its data, and the line of every mapping key and list item, for located messages."""

    def __init__(self, path: Path, root: Path):
        self.path = path
        self.name = path.relative_to(root).as_posix()
        self.lines: dict[Path_, int] = {}
        self.data: Any = None

    def line_of(self, location: Path_) -> int:
        location = tuple(location)
        while location and location not in self.lines:
            location = location[:-1]
        return self.lines.get(location, 1)

    def error(self, location: Path_, message: str) -> ContentError:
        field = ".".join(str(part) for part in location)
        return ContentError(self.name, self.line_of(location), field, message)

    def read(self) -> list[ContentError]:
        """Parse the file; return the errors that make it unreadable (then `data` stays None)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return [ContentError(self.name, 1, "", "the file is missing (deleted or renamed?); it is required")]
        except OSError as exc:
            return [ContentError(self.name, 1, "", f"the file cannot be read ({exc.strerror}); check it exists and is a file")]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            return [ContentError(self.name, line, "", f"the file is not UTF-8 text (byte {raw[exc.start]:#04x} is not a "
                                 "character); save it with the UTF-8 encoding")]
        if "\x00" in text:
            line = text[: text.index("\x00")].count("\n") + 1
            return [ContentError(self.name, line, "", "the file holds a zero byte, so it is not a text file; "
                                 "save it as UTF-8 text")]
        for number, line in enumerate(text.splitlines(), start=1):
            indent = line[: len(line) - len(line.lstrip())]
            if "\t" in indent:
                return [ContentError(self.name, number, "", "a tab is used for indentation; indent with spaces")]
        if not text.strip():
            return [ContentError(self.name, 1, "", "the file is empty; it must hold a YAML mapping")]
        loader = _UniqueKeyLoader(text)
        try:
            # Parsed once: the node tree gives the lines, the same tree gives the data.
            node = loader.get_single_node()
            self.data = loader.construct_document(node) if node is not None else None
        except yaml.MarkedYAMLError as exc:
            return [ContentError(self.name, _yaml_error_line(exc), "", _explain_yaml(exc))]
        except yaml.YAMLError as exc:  # errors without a position
            return [ContentError(self.name, 1, "", f"YAML syntax error: {exc}")]
        finally:
            loader.dispose()
        if self.data is None:
            return [ContentError(self.name, 1, "", "the file is empty (only comments or blank lines); "
                                 "it must hold key: value lines")]
        if not isinstance(self.data, dict):
            self.data = None
            return [ContentError(self.name, 1, "", "the file must hold a YAML mapping (key: value lines) at the top")]
        self._index(node, ())
        return []

    def _index(self, node: yaml.Node, location: Path_) -> None:
        self.lines.setdefault(location, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*location, key.value)
                self.lines[child] = key.start_mark.line + 1
                self._index(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for position, value in enumerate(node.value):
                self._index(value, (*location, position))


def _yaml_error_line(exc: yaml.MarkedYAMLError) -> int:
    # A key without its colon is noticed a line or more later; the key's own line is the one to fix.
    if exc.context_mark and (exc.context or "").startswith(("while scanning a simple key", "while scanning a quoted",
                                                            "while parsing a flow")):
        return exc.context_mark.line + 1
    mark = exc.problem_mark or exc.context_mark
    return mark.line + 1 if mark else 1


# libyaml's terse phrases, and what an editor should check; the phrase itself follows in brackets.
_YAML_ADVICE = (
    ("written twice", "{problem}; keep one of them"),
    ("mapping values are not allowed", "a text contains ': ' (colon and space); put the whole text in quotes"),
    ("could not find expected ':'", "a line has no 'key:' at its start, or a text goes on at the wrong indentation; "
                                    "indent continuation lines further than their key"),
    ("did not find expected key", "this line is not aligned with the lines of its block; check the spaces before it"),
    ("did not find expected '-'", "this line is not aligned with the list items above it; check the spaces before it"),
    ("did not find expected ',' or ']'", "a list in [ … ] is not closed, or an item in it contains a comma or colon; "
                                         "close the bracket or put that item in quotes"),
    ("did not find expected ',' or '}'", "a { … } block is not closed, or a text in it contains a comma or colon; "
                                         "close the brace or put that text in quotes"),
    ("found unexpected end of stream", "a quote is opened but never closed; close it with the same quote mark"),
    ("found unknown escape character", "a backslash inside \"double quotes\"; use 'single quotes' or remove it"),
    ("cannot start any token", "a value starts with a character YAML reserves (@ ` % | > * & !); put the text in quotes"),
    ("undefined alias", "a value starts with * (read as a YAML alias); put the text in quotes"),
    ("found a tab character", "a tab is used for indentation; indent with spaces"),
)


def _explain_yaml(exc: yaml.MarkedYAMLError) -> str:
    problem = exc.problem or str(exc).splitlines()[0]
    for phrase, advice in _YAML_ADVICE:
        if phrase in problem:
            if "{problem}" in advice:
                return advice.format(problem=problem)
            return f"YAML syntax error: {advice} ({problem})"
    return f"YAML syntax error: {problem}; check the indentation, the colons and the quotes on this line"


# libyaml's parser when PyYAML has it (ten times faster than the pure-Python one; same nodes, same lines).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeLoader):
    """Safe YAML that refuses a key written twice in one mapping (YAML would silently keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is written twice in the same block", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# YAML 1.1 reads `no`, `yes`, `on`, `off` as booleans; editors mean words. Only true/false are booleans here.
# (A copy: the resolver table is shared with yaml.SafeLoader, which MkDocs also uses.)
_UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_UniqueKeyLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


# --- validation -----------------------------------------------------------------------------------------------


def _describe(value: Any) -> str:
    """What an editor wrote, in words: the value itself if short, else its kind."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float, str, dt.date)):
        text = repr(value) if isinstance(value, str) else str(value)
        return text if len(text) <= 40 else text[:37] + "…"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a block of key: value lines"
    return type(value).__name__


def _explain(error: dict) -> str:
    """A pydantic error in words for an editor: what is wrong; what is expected."""
    kind, message, given = error["type"], error["msg"], error.get("input")
    field = str(error["loc"][-1]) if error["loc"] else ""
    if given is None and kind in ("string_type", "model_type", "list_type", "int_type", "date_type", "bool_type"):
        # `key:` with nothing after it: YAML reads an empty value.
        what = {"model_type": "a block of key: value lines", "list_type": "a list"}.get(kind, "a value")
        if field in LANGS:
            what = "the text in this language"
        return f"nothing is written after '{field}:'; expected {what}"
    got = f", not {_describe(given)}"
    expected = {
        "missing": "this field is required",
        "extra_forbidden": "unknown field; check its spelling against the other entries of this file",
        "string_too_short": "the text is empty; write it in this language",
        "string_type": f"expected a text{got} (put it in quotes if it looks like a number or a date)",
        "int_type": f"expected a whole number{got} (without quotes)",
        "int_parsing": f"expected a whole number{got}",
        "date_type": f"expected a date written YYYY-MM-DD{got}",
        "date_from_datetime_parsing": f"expected a date written YYYY-MM-DD{got}",
        "bool_type": f"expected true or false{got}",
        "list_type": f"expected a list (lines starting with '- ', or [a, b]){got}",
        "model_type": f"expected a block of key: value lines{got}",
        "model_attributes_type": f"expected a block of key: value lines{got}",
        "dict_type": f"expected a block of key: value lines{got}",
        "too_short": "the list must not be empty; write at least one item",
        "string_too_long": f"too long; expected at most {error.get('ctx', {}).get('max_length')} characters",
        "enum": message.replace("Input should be", "expected") + got,
        "literal_error": message.replace("Input should be", "expected") + got,
    }
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        if "10\\." in pattern:
            return f"{_describe(given)} is not a DOI; expected the form 10.1234/suffix, without https://doi.org/"
        if "https?" in pattern:
            return f"{_describe(given)} is not a web address; expected one starting with https:// and ending with /"
        return (f"{_describe(given)} is not a valid id; expected lowercase letters, digits and hyphens, "
                "without spaces or accents (e.g. sodium-thiosulfate)")
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        if field == "year":
            return f"impossible value {given} for a year of publication; expected a year between 1900 and 2100"
        if field == "pmid":
            return f"impossible value {given} for a PMID; expected a PubMed number of 1 to 8 digits"
        return f"impossible value {given}: {message.lower().replace('input ', '')}"
    if kind.startswith("value_error") or kind == "assertion_error":
        return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return expected.get(kind, message)


def _validate(source: SourceFile, model: type[Model], data: Any, prefix: Path_ = ()) -> tuple[Any, list[ContentError]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        errors = []
        for problem in exc.errors():
            location = (*prefix, *problem["loc"])
            errors.append(source.error(location, _explain(problem)))
        return None, errors


# Where an editor looks up the ids of each kind.
_DEFINED_IN = {"reference": "the ids in references.yml", "treatment": f"the file names in {TREATMENTS_DIR}/",
               "tier": "the ids in tiers.yml", "evidence level": "the ids in evidence.yml",
               "glossary term": "the ids in glossary.yml"}


class _Index:
    """Where each id is defined, for duplicate and dangling-reference checks with locations."""

    def __init__(self) -> None:
        self.known: dict[str, dict[str, tuple[SourceFile, Path_]]] = {}
        self.errors: list[ContentError] = []

    def define(self, kind: str, ident: str, source: SourceFile, location: Path_) -> None:
        table = self.known.setdefault(kind, {})
        if ident in table:
            first, first_location = table[ident]
            self.errors.append(source.error((*location, "id"), (
                f"duplicate {kind} id {ident!r}; already defined at {first.name}:{first.line_of(first_location)}"
            )))
        else:
            table[ident] = (source, location)

    def require(self, kind: str, ident: str, source: SourceFile, location: Path_) -> None:
        if ident not in self.known.get(kind, {}):
            known = sorted(self.known.get(kind, {}))
            close = difflib.get_close_matches(ident, known, n=3)
            where = {"treatment": f" (there is no file {TREATMENTS_DIR}/{ident}.yml)",
                     "reference": " (there is no entry with this id in references.yml)"}.get(kind, "")
            if close:
                hint = f"did you mean {' or '.join(repr(c) for c in close)}?"
            elif len(known) > 12:
                hint = f"check the spelling against {_DEFINED_IN.get(kind, 'the ids defined in content/')}"
            else:
                hint = "expected one of: " + ", ".join(known)
            self.errors.append(source.error(location, f"unknown {kind} id {ident!r}{where}; {hint}"))


def _texts(value: Any, location: Path_) -> Iterator[tuple[Path_, str]]:
    """Every string inside a parsed YAML value, with its location."""
    if isinstance(value, str):
        yield location, value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield from _texts(child, (*location, key))
    elif isinstance(value, list):
        for position, child in enumerate(value):
            yield from _texts(child, (*location, position))


def _check_algorithm(algorithm: Algorithm, source: SourceFile, index: _Index) -> None:
    node_ids = {node.id for node in algorithm.nodes}
    for position, node in enumerate(algorithm.nodes):
        index.define("algorithm node", node.id, source, ("nodes", position))
        if node.tier:
            index.require("tier", node.tier, source, ("nodes", position, "tier"))
        for item, treatment in enumerate(node.treatments):
            index.require("treatment", treatment, source, ("nodes", position, "treatments", item))
    successors: dict[str, list[str]] = {node: [] for node in node_ids}
    for position, edge in enumerate(algorithm.edges):
        for end, ident in (("from", edge.source), ("to", edge.target)):
            if ident not in node_ids:
                index.errors.append(source.error(("edges", position, end), (
                    f"the edge points to node {ident!r}, which does not exist; expected one of: {', '.join(sorted(node_ids))}"
                )))
        if edge.source in successors and edge.target in node_ids:
            successors[edge.source].append(edge.target)
    # A decision chart must read top to bottom: a cycle would send the reader round forever.
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        for following in successors[node]:
            if state.get(following) == 1:
                return [*trail, node, following]
            if following not in state and (cycle := visit(following, [*trail, node])):
                return cycle
        state[node] = 2
        return None

    for node in successors:
        if node not in state and (cycle := visit(node, [])):
            start = cycle.index(cycle[-1])
            index.errors.append(source.error(("edges",), "the algorithm has a cycle: " + " → ".join(cycle[start:])
                                             + "; expected a chart that only goes forward"))
            break
    starts = [node for node in algorithm.nodes if node.kind == "start"]
    if len(starts) != 1:
        index.errors.append(source.error(("nodes",), f"expected exactly one node of kind start, found {len(starts)}"))
    for position, ref in enumerate(algorithm.key_references):
        index.require("reference", ref, source, ("key_references", position))
    if not any(error.field.startswith("edges") for error in index.errors if error.file == source.name):
        _check_chart_layout(algorithm, source, index)


def _check_chart_layout(algorithm: Algorithm, source: SourceFile, index: _Index) -> None:
    """The chart is drawn in rows with straight vertical arrows (templates/algorithm-chart.md.j2): every node
    hangs from the start, an arrow joins neighbouring rows, and two rows of several boxes are joined box to box."""
    row = chart_rows(algorithm)
    width = {number: sum(1 for value in row.values() if value == number) for number in row.values()}
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


def load_guide(root: Path) -> Guide:
    """Read, validate and cross-check all of `root` (the content/ folder); raise ContentErrors with every mistake."""
    root = Path(root)
    errors: list[ContentError] = []
    parsed: dict[str, Any] = {}
    sources: dict[str, SourceFile] = {}

    for name, model in DOCUMENTS.items():
        source = SourceFile(root / name, root)
        if read_errors := source.read():
            errors.extend(read_errors)
            continue
        value, problems = _validate(source, model, source.data)
        errors.extend(problems)
        parsed[name], sources[name] = value, source

    treatments: list[tuple[Treatment, SourceFile]] = []
    invalid_treatments: list[str] = []  # still defined, so that their mistakes are not reported twice
    treatment_dir = root / TREATMENTS_DIR
    treatment_files = sorted(treatment_dir.glob("*.yml")) if treatment_dir.is_dir() else []
    if not treatment_files:
        errors.append(ContentError(TREATMENTS_DIR, 1, "", "no treatment files; expected one .yml file per treatment"))
    for path in treatment_files:
        source = SourceFile(path, root)
        if read_errors := source.read():
            errors.extend(read_errors)
            invalid_treatments.append(path.stem)
            continue
        value, problems = _validate(source, Treatment, source.data)
        errors.extend(problems)
        if value is None:
            invalid_treatments.append(path.stem)
        else:
            treatments.append((value, source))
            if value.id != path.stem:
                errors.append(source.error(("id",), f"the id {value.id!r} differs from the file name; expected {path.stem!r}"))

    errors.extend(_cross_check(parsed, sources, treatments, invalid_treatments))
    if errors:
        raise ContentErrors(errors)
    return Guide(
        site=parsed["site.yml"], summary=parsed["summary.yml"], classification=parsed["classification.yml"],
        diseases=parsed["diseases.yml"], tiers=parsed["tiers.yml"], evidence=parsed["evidence.yml"],
        treatments=[treatment for treatment, _ in treatments], algorithm=parsed["algorithm.yml"],
        care=parsed["care.yml"], assessment=parsed["assessment.yml"], references=parsed["references.yml"],
        glossary=parsed["glossary.yml"],
    )


def _cross_check(parsed: dict[str, Any], sources: dict[str, SourceFile],
                 treatments: list[tuple[Treatment, SourceFile]], invalid_treatments: list[str]) -> list[ContentError]:
    """Ids are unique and every id used somewhere is defined somewhere (only for files that validated)."""
    index = _Index()
    definitions = [
        ("references.yml", "reference", "references"), ("tiers.yml", "tier", "tiers"),
        ("evidence.yml", "evidence level", "levels"), ("glossary.yml", "glossary term", "terms"),
        ("classification.yml", "classification type", "types"), ("diseases.yml", "disease", "diseases"),
    ]
    for name, kind, key in definitions:
        if parsed.get(name) is not None:
            for position, item in enumerate(getattr(parsed[name], key)):
                index.define(kind, item.id, sources[name], (key, position))
    for treatment, source in treatments:
        index.define("treatment", treatment.id, source, ())
    index.known.setdefault("treatment", {}).update({ident: (None, ()) for ident in invalid_treatments
                                                    if ident not in index.known.get("treatment", {})})
    if not all(parsed.get(name) is not None for name in ("references.yml", "tiers.yml", "evidence.yml")):
        return index.errors  # the ids to check against are unknown; the file errors already say why

    for treatment, source in treatments:
        for position, tier in enumerate(treatment.tiers):
            index.require("tier", tier, source, ("tiers", position))
        index.require("evidence level", treatment.evidence.level, source, ("evidence", "level"))
        for position, ref in enumerate(treatment.references):
            index.require("reference", ref, source, ("references", position))
    if parsed.get("site.yml") is not None:
        index.require("reference", parsed["site.yml"].source_review, sources["site.yml"], ("source_review",))
    if parsed.get("algorithm.yml") is not None:
        _check_algorithm(parsed["algorithm.yml"], sources["algorithm.yml"], index)
    # Citations written inside texts: [@ref-id].
    every_source = [*(sources[name] for name in parsed if parsed[name] is not None), *(s for _, s in treatments)]
    for source in every_source:
        for location, text in _texts(source.data, ()):
            for ref in cited_ids(text):
                index.require("reference", ref, source, location)
    return index.errors
