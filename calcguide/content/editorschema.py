"""JSON Schemas of the content files, made from the pydantic models, so that an editor's YAML language server
validates and completes each file while it is typed (`# yaml-language-server: $schema=…` on its first line).

One schema per kind of file (`KINDS`), written by `build.py` into `schemas/` (generated, never committed). Each
field carries a description (`FIELD_HELP`, else its model's own) with the words the page shows for it in both
languages (templates/strings.yml), and an example; an enumerated field lists what each value reads as. The schema
is the editor's first help, not the rule: `build.py check` stays the judge (cross-references, citations, safety).
"""
from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

from .files import CONTENT_FILES, model_of
from .schema import Chapter, Treatment
from .text import Model

SCHEMA_DIR = "schemas"  # under the project folder, beside content/
SCHEMA_LINE = "# yaml-language-server: $schema="


def _kind(model: type[Model]) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in model.__name__).lstrip("-")


# Every kind of content file: the model of each entry of CONTENT_FILES, and a treatment's.
KINDS: dict[str, type[Model]] = {_kind(entry.model): entry.model for entry in CONTENT_FILES} | {
    _kind(Treatment): Treatment}
TREATMENT_KIND, CHAPTER_KIND = _kind(Treatment), _kind(Chapter)

_TEXT_EXAMPLE = {"en": "What the page says, with its source [@reference-id].",
                 "fr": "Ce que dit la page, avec sa source [@reference-id]."}

# What an editor needs to know about a field, beyond its type: (description, example or None).
FIELD_HELP: dict[str, tuple[str, Any]] = {
    "Treatment.id": ("The treatment's id: the file name without .yml (lowercase letters, digits, hyphens).",
                     "topical-treatment"),
    "Treatment.name": ("The treatment's name as the page title shows it.", {"en": "Name of the treatment", "fr": "Nom du traitement"}),
    "Treatment.kind": ("drug (systemic medicine: the full safety block), local (applied or injected) or procedure "
                       "(laser, surgery…).", "drug"),
    "Treatment.drug_class": ("Its class, or the kind of procedure.", None),
    "Treatment.tiers": ("The tiers (ids in tiers.yml) it belongs to; the first one places its page.", ["first-line"]),
    "Treatment.placement": ("Where the guide's source review puts it.", None),
    "Treatment.status": ("What the guide makes of it; shown first, before its evidence.", None),
    "Treatment.indications": ("The situations it is used in.", ["localized"]),
    "Treatment.summary": ("One or two sentences on the treatment, cited.", _TEXT_EXAMPLE),
    "Treatment.mechanism": ("How it is thought to work, cited.", _TEXT_EXAMPLE),
    "Treatment.regimen": ("The doses as reported in the cited studies (not a recommendation), cited.",
                          {"en": "240 to 480 mg a day by mouth [@reference-id].",
                           "fr": "240 à 480 mg par jour per os [@reference-id]."}),
    "Treatment.evidence": ("The strongest study design reported, the treated patients per study, and a summary.",
                           {"level": "case-series", "patients": "4–17", "summary": _TEXT_EXAMPLE}),
    "Treatment.response": ("What the studies report as response, with figures and their sources.", _TEXT_EXAMPLE),
    "Treatment.cautions": ("Adverse effects and cautions, cited.", _TEXT_EXAMPLE),
    "Treatment.patient": ("What it can do and its main cautions in plain words, for the patient leaflet.", None),
    "Treatment.references": ("The ids (references.yml) of the page's references, in the order of its list.",
                             ["reference-id"]),
    "Treatment.search_terms": ("Synonyms, other spellings, a class: words that find the page in search.",
                               {"en": ["other name"], "fr": ["autre nom"]}),
    "Treatment.brands": ("Products that contain it, each with its countries and the label that names it.",
                         [{"name": "Brandname", "countries": ["FR"], "source": "label-reference-id"}]),
    "Treatment.safety": ("Safety, each statement cited: a drug states contraindications, pregnancy, breastfeeding, "
                         "kidney, liver, children, monitoring and interactions; a local treatment or a procedure "
                         "contraindications, pregnancy and before_treatment.", None),
    "Treatment.last_reviewed": ("The day the page was last reviewed against its sources (YYYY-MM-DD).",
                                "2026-12-04"),
    "Evidence.level": ("The design of the strongest study (an id of evidence.yml).", "case-series"),
    "Evidence.patients": ("Treated patients per study: 9, \"4–17\" (smallest and largest study) or unknown; never "
                          "a number of studies.", "4–17"),
    "Safety.contraindications": ("Contraindications, cited.", _TEXT_EXAMPLE),
    "Safety.pregnancy": ("Pregnancy (and contraception where it matters), cited.", _TEXT_EXAMPLE),
    "Safety.breastfeeding": ("Breastfeeding, cited.", _TEXT_EXAMPLE),
    "Safety.kidney": ("Reduced kidney function, cited.", _TEXT_EXAMPLE),
    "Safety.liver": ("Reduced liver function, cited.", _TEXT_EXAMPLE),
    "Safety.children": ("Children, cited.", _TEXT_EXAMPLE),
    "Safety.monitoring": ("Tests before and during treatment, cited.", _TEXT_EXAMPLE),
    "Safety.before_treatment": ("What to check before it: anticoagulants, antiplatelets, digital ischaemia, "
                                "infection; cited.", _TEXT_EXAMPLE),
    "Safety.interactions": ("At least one for a drug: `with:` a drug or class outside the guide, or `treatment:` "
                            "another treatment's id; each with mechanism and action, cited.", None),
    "Safety.dose_note": ("Shown wherever the regimen is, e.g. a dose above the labelled maximum; cited.", None),
    "Interaction.with": ("A drug or class outside the guide, in both languages.", None),
    "Interaction.treatment": ("Another treatment of the guide (its id); write the interaction in one of the two "
                              "files only.", None),
    "Interaction.action": ("What to do, shown word for word in every view: keep it short; cited.", _TEXT_EXAMPLE),
    "Reference.id": ("The id texts cite as [@id]: first author's surname and year, lowercase.", "surname-2014"),
    "Reference.kind": ("article (default), chapter, label (a label or SmPC), resource or registration.", "article"),
    "Reference.authors": ("Vancouver style, Surname Initials, comma-separated.", "Surname AB, Other CD"),
    "Reference.language": ("The language of the title as published (en, fr…).", "en"),
    "Reference.doi": ("The DOI, without https://doi.org/, as checked on the publisher's or PubMed's record.",
                      "10.1000/182"),
    "Reference.pmid": ("The PubMed id, a number without quotes.", 12345678),
    "Reference.version": ("Which version was read (label, resource, registration): the dates after what they date, "
                          "a source name as written, other words in both languages.",
                          {"source": "DailyMed", "dates": {"updated": "2025-01-29", "consulted": "2026-12-04"}}),
    "Reference.checked": ("The day its identifiers were last seen in a publisher, PubMed or PMC record.",
                          "2026-12-04"),
    "Chapter.slug": ("The page's address in each language (lowercase ascii words joined by hyphens); without it, "
                     "the catalogue's address for this chapter.", {"en": "children", "fr": "enfants"}),
    "Treatment.slug": ("The page's file name in each language: in English the id, in French French words "
                       "(lowercase ascii words joined by hyphens). Renaming it? List the old address in moved.yml.",
                       {"en": "topical-treatment", "fr": "traitement-local"}),
    "MovedPage.from": ("A former address of a page inside the site, its language first.",
                       "fr/traitements/topical-treatment.html"),
    "MovedPage.to": ("The page that stands there now, by its id (a treatment's id, response, evaluation…).",
                     "topical-treatment"),
    "Diseases.frequency_label": ("What a disease's `frequency` counts, as the table's heading.",
                                 {"en": "Reported frequency of the condition", "fr": "Fréquence rapportée de l'atteinte"}),
    "SiteMeta.short_title": ("The guide's short name; its English form, as an id, names the offline zip and the "
                             "reference exports.", {"en": "Skin Guide", "fr": "Guide de la peau"}),
    "Chapter.sections": ("The chapter's sections, each with an id (its anchor), a title and a body.", None),
    "ChapterSection.treatments": ("The treatment pages this section discusses, linked under its text.", None),
}

# A field's own name in the catalogue's `ui` entries, where it differs.
_UI_NAMES = {"drug_class": "drug_class", "last_reviewed": "last_reviewed", "search_terms": "search"}
# Enumerated fields and the catalogue table that says how each value reads on the page.
_ENUM_WORDS = {"placement": "placements", "status": "statuses", "kind": "kinds", "indications": "indications",
               "serum": "serum"}


def schema_of(model: type[Model], catalogue: Any = None) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) an editor's YAML server checks a file of `model` against."""
    schema = copy.deepcopy(model.model_json_schema(by_alias=True, mode="validation"))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    definitions = schema.setdefault("$defs", {})
    _editor_forms(definitions)
    for name, definition in [(model.__name__, schema), *definitions.items()]:
        for field, prop in definition.get("properties", {}).items():
            _describe(name, field, prop, catalogue)
    return schema


def _editor_forms(definitions: dict[str, Any]) -> None:
    """What editors write where the model accepts a shorter form than its fields (its `mode="before"`
    validators): `patients: 9`, `"4–17"` or `unknown`; a page link `care#infection`; a date at its precision
    `2025-01`."""
    if "PatientCount" in definitions:
        definitions["PatientCount"] = {
            "description": "Treated patients per study: 9, \"4–17\" (smallest and largest study) or unknown.",
            "anyOf": [{"type": "integer", "minimum": 1},
                      {"type": "string", "pattern": r"^\s*\d{1,7}\s*(?:[–-]\s*\d{1,7}\s*)?$|^unknown$"}]}
    if "PartialDate" in definitions:
        definitions["PartialDate"] = {
            "description": "A date as precise as the source gives it: 2025-01-29, 2025-01 or 2025.",
            "anyOf": [{"type": "integer", "minimum": 1900, "maximum": 2100},
                      {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}]}
    if "PageLink" in definitions:
        page = definitions["PageLink"]["properties"]["page"]
        pages = page.get("enum") or definitions.get(page.get("$ref", "").rpartition("/")[2], {}).get("enum", [])
        definitions["PageLink"] = {
            "description": definitions["PageLink"].get("description", ""),
            "anyOf": [{"type": "string", "pattern": rf"^({'|'.join(pages)})(#[a-z0-9][a-z0-9-]*)?$"},
                      definitions["PageLink"]]}


def _describe(model_name: str, field: str, prop: dict[str, Any], catalogue: Any) -> None:
    description, example = FIELD_HELP.get(f"{model_name}.{field}", (None, None))
    parts = [description or prop.get("description") or prop.pop("title", None) or field.replace("_", " ")]
    prop.pop("title", None)
    if catalogue is not None:
        label = catalogue.ui.get(_UI_NAMES.get(field, field))
        if label is not None:
            parts.append(f"On the page: “{label.en}” / « {label.fr} ».")
        table = getattr(catalogue, _ENUM_WORDS.get(field, ""), None)
        if table:
            parts.append("Values: " + "; ".join(f"{value} = “{words.en}” / « {words.fr} »"
                                                 for value, words in table.items()) + ".")
    prop["description"] = " ".join(parts)
    if example is not None:
        prop["examples"] = [example]
    elif _is_text(prop):
        prop["examples"] = [_TEXT_EXAMPLE]


def _is_text(prop: dict[str, Any]) -> bool:
    refs = [prop.get("$ref", "")] + [option.get("$ref", "") for option in prop.get("anyOf", [])]
    return any(ref.endswith(("/Text", "/Prose", "/CitedText")) for ref in refs)


def schema_path(project: Path, kind: str) -> Path:
    return project / SCHEMA_DIR / f"{kind}.schema.json"


def write_schemas(project: Path, catalogue: Any = None) -> list[Path]:
    """Write (or leave, when unchanged) the schema of every kind of content file; the paths written."""
    written = []
    for kind, model in KINDS.items():
        path = schema_path(project, kind)
        text = json.dumps(schema_of(model, catalogue), ensure_ascii=False, indent=1) + "\n"
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            # Whole or not at all: several builds (the tests' workers) may write it at once.
            path.parent.mkdir(parents=True, exist_ok=True)
            staged = path.with_name(f".{path.name}.{os.getpid()}")
            staged.write_text(text, encoding="utf-8")
            os.replace(staged, path)
            written.append(path)
    return written


RECORD = "editor-schemas.json"  # in the work folder: what write_editor_schemas wrote, and from what


def write_editor_schemas(project: Path, content_dir: Path, work_dir: Path | None = None) -> None:
    """The JSON Schemas that editors' YAML servers read (schemas/, named on each content file's first line), made
    again from the models at every run; with the interface words when templates/strings.yml reads. A build
    (`work_dir`) remembers what it wrote, under the build's code, templates/ and the project's folder (the files
    are its schemas/) as they were before it read them (calcguide/keptcache.py's InputsSnapshot): with those
    unchanged and the files as written, they are not made again (a tenth of a second)."""
    from ..catalogue import load_catalogue
    from ..keptcache import InputsSnapshot, read_kept, write_kept
    from ..uptodate import output_manifest
    from .errors import ContentErrors

    # Taken before anything is read (what the schemas are made of); only by a build, which remembers them.
    snapshot = InputsSnapshot.take(project, content_dir, "") if work_dir is not None else None
    salt = snapshot.salt("templates", "project") if snapshot is not None else None
    record = work_dir / RECORD if work_dir is not None and salt is not None else None
    outputs = {"schemas": project / SCHEMA_DIR}
    try:
        if record is not None and read_kept(record, lambda kept: kept == {"salt": salt,
                                                                         "files": output_manifest(outputs)}):
            return
    except Exception:  # noqa: BLE001 - a link, an unreadable file: in doubt, they are written
        record = None
    try:
        catalogue = load_catalogue(project / "templates")
    except ContentErrors:
        catalogue = None  # check reports it; the schemas are written without the page's words
    write_schemas(project, catalogue)
    # Remembered only when nothing they are made of changed while they were made.
    if record is not None and catalogue is not None and snapshot.still_holds():
        try:
            write_kept(record, {"salt": salt, "files": output_manifest(outputs)})
        except Exception:  # noqa: BLE001 - not remembered: the next build writes them again
            pass


def kind_of(relative: str) -> str | None:
    """The kind of the content file at `relative` (its path inside the content folder), or None."""
    model = model_of(relative)
    return _kind(model) if model is not None else None


def schema_line(project: Path, content_file: Path, kind: str) -> str:
    """The first line of a content file: where its schema is, relative to the file (as editors open it)."""
    relative = os.path.relpath(schema_path(project, kind).resolve(), content_file.resolve().parent)
    return SCHEMA_LINE + Path(relative).as_posix()


def with_schema_line(project: Path, content_dir: Path, path: Path) -> str | None:
    """The text of a content file with its schema line first (added, or put right), or None if it has it or is
    not a content file."""
    kind = kind_of(path.relative_to(content_dir).as_posix())
    if kind is None:
        return None
    text = path.read_text(encoding="utf-8")
    wanted = schema_line(project, path, kind)
    first, newline, rest = text.partition("\n")
    if first == wanted:
        return None
    return wanted + "\n" + (rest if first.startswith(SCHEMA_LINE) else text)


if __name__ == "__main__":  # python -m calcguide.content.editorschema [CONTENT_DIR]: add or mend the first lines
    import sys

    project = Path(__file__).resolve().parents[2]
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else project / "content").resolve()
    for path in sorted(folder.rglob("*.yml")):
        if (text := with_schema_line(project, folder, path)) is not None:
            path.write_text(text, encoding="utf-8")
            print(f"schema line: {path}")
