"""The engine builds any guide folder: `--content DIR`, the minimal guide of the tests, the editors' JSON Schemas
(checked against every content file with the `jsonschema` package), and `build.py new` files that `check` refuses,
each field at its line, until they are written."""
from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest

from conftest import PROJECT, run_build
from calcguide.catalogue import load_catalogue
from calcguide.content import load_guide
from calcguide.content.editorschema import (FIELD_HELP, KINDS, SCHEMA_LINE, TREATMENT_KIND, kind_of, schema_of,
                                            schema_path)
from calcguide.content.source import SourceFile

MINIMAL = PROJECT / "tests" / "guides" / "minimal"
GUIDES = {"content": PROJECT / "content", "minimal": MINIMAL}


@pytest.fixture(scope="module")
def schemas() -> dict[str, dict]:
    catalogue = load_catalogue(PROJECT / "templates")
    return {kind: schema_of(model, catalogue) for kind, model in KINDS.items()}


def as_json(value):
    """A YAML value as an editor's YAML server hands it to the schema: dates are strings."""
    if isinstance(value, dict):
        return {key: as_json(child) for key, child in value.items()}
    if isinstance(value, list):
        return [as_json(child) for child in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def content_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*.yml") if kind_of(path.relative_to(root).as_posix()))


def read_data(path: Path, root: Path):
    source = SourceFile(path, root)
    assert not source.read(), path
    return as_json(source.data)


def schema_errors(schema: dict, data) -> list[jsonschema.ValidationError]:
    return list(jsonschema.Draft202012Validator(schema).iter_errors(data))


# --- --content -------------------------------------------------------------------------------------------------

def test_check_reads_the_guide_named_by_content():
    run = run_build("check", "--content", str(MINIMAL))
    assert run.returncode == 0, run.stderr
    assert "content OK: 3 treatments" in run.stdout


def test_check_of_another_guide_names_its_own_files(tmp_path):
    broken = tmp_path / "guide"
    shutil.copytree(MINIMAL, broken)
    path = broken / "treatments" / "co2-laser.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("placement: review-2014", "placement: review2014"),
                    encoding="utf-8")
    run = run_build("check", "--content", str(broken))
    assert run.returncode == 2
    line = next(number for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("placement:"))
    assert re.search(rf"^{re.escape(str(path))}:{line}:\d+: placement: expected", run.stderr, re.M), run.stderr


# --- the minimal guide -------------------------------------------------------------------------------------------

def test_the_minimal_guide_has_two_languages_three_treatments_one_algorithm_and_references():
    guide = load_guide(MINIMAL)
    assert len(guide.treatments) == 3
    assert {treatment.kind for treatment in guide.treatments} >= {"drug", "procedure"}
    assert guide.algorithm.nodes and guide.algorithm.edges
    cited = {ref for treatment in guide.treatments for ref in guide.page_references(treatment)}
    assert cited <= {reference.id for reference in guide.references.references}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_minimal_guide_says_in_its_own_text_that_it_is_test_data(lang):
    guide = load_guide(MINIMAL)
    words = {"en": ("test data", "not clinical advice", "never publish"),
             "fr": ("données de test", "non un avis médical", "jamais être publié")}[lang]
    for text in (guide.site.title[lang], guide.site.disclaimer[lang], guide.summary.intro[lang]):
        assert words[0] in text.lower() or words[1] in text.lower(), text
    assert all(word in guide.site.disclaimer[lang].lower() for word in words)


# --- the editors' JSON Schemas -----------------------------------------------------------------------------------

@pytest.mark.parametrize("guide_name", list(GUIDES))
def test_every_content_file_starts_with_the_line_naming_its_schema(guide_name):
    root = GUIDES[guide_name]
    for path in content_files(root):
        first = path.read_text(encoding="utf-8").partition("\n")[0]
        assert first.startswith(SCHEMA_LINE), f"{path}: first line {first!r}"
        target = (path.parent / first.removeprefix(SCHEMA_LINE)).resolve()
        assert target == schema_path(PROJECT, kind_of(path.relative_to(root).as_posix())).resolve(), path


@pytest.mark.parametrize("guide_name", list(GUIDES))
def test_every_content_file_validates_against_its_schema(guide_name, schemas):
    root = GUIDES[guide_name]
    files = content_files(root)
    assert len(files) >= 18
    for path in files:
        errors = schema_errors(schemas[kind_of(path.relative_to(root).as_posix())], read_data(path, root))
        assert not errors, f"{path}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


def test_the_schema_reports_a_known_mistake_at_its_field(schemas):
    data = read_data(MINIMAL / "treatments" / "co2-laser.yml", MINIMAL)
    data["placement"] = "review2014"  # a typo of review-2014
    del data["regimen"]
    data["evidence"]["patients"] = "a dozen"
    data["regimen_note"] = data["summary"]  # a field that does not exist
    errors = {(tuple(error.absolute_path), error.validator) for error in schema_errors(schemas[TREATMENT_KIND], data)}
    assert (("placement",), "enum") in errors
    assert ((), "required") in errors
    assert (("evidence", "patients"), "anyOf") in errors
    assert ((), "additionalProperties") in errors
    messages = " ".join(error.message for error in schema_errors(schemas[TREATMENT_KIND], data))
    assert "'regimen' is a required property" in messages


def test_the_editor_forms_of_a_patient_count_and_a_page_link_validate(schemas):
    treatment = read_data(MINIMAL / "treatments" / "co2-laser.yml", MINIMAL)
    for patients in (9, "4–17", "4-17", "unknown"):
        assert not schema_errors(schemas[TREATMENT_KIND], {**treatment, "evidence": {**treatment["evidence"],
                                                                                      "patients": patients}})
    algorithm = read_data(MINIMAL / "algorithm.yml", MINIMAL)
    algorithm["nodes"][0]["pages"] = ["nowhere#x"]
    assert schema_errors(schemas["algorithm"], algorithm)


def test_every_field_of_a_treatment_has_a_description_and_an_example_in_both_languages_terms(schemas):
    schema = schemas[TREATMENT_KIND]
    for name, prop in schema["properties"].items():
        assert prop.get("description"), name
        assert prop.get("examples") or prop.get("enum") or "$ref" not in prop or name in {"patient", "safety"}, name
    assert "« Posologie rapportée »" in schema["properties"]["regimen"]["description"]
    assert "review-2014 = " in schema["properties"]["placement"]["description"]
    assert {"en", "fr"} <= set(schema["properties"]["summary"]["examples"][0])


def test_the_field_help_names_only_fields_that_exist(schemas):
    fields = set()
    for kind, schema in schemas.items():
        for name, definition in [(KINDS[kind].__name__, schema), *schema["$defs"].items()]:
            fields.update(f"{name}.{field}" for field in definition.get("properties", {}))
    assert set(FIELD_HELP) <= fields, set(FIELD_HELP) - fields


def test_the_build_writes_the_schemas_that_the_first_lines_name():
    run = run_build("check", "--content", str(MINIMAL))
    assert run.returncode == 0, run.stderr
    catalogue = load_catalogue(PROJECT / "templates")
    for kind, model in KINDS.items():
        written = json.loads(schema_path(PROJECT, kind).read_text(encoding="utf-8"))
        assert written == json.loads(json.dumps(schema_of(model, catalogue))), kind


# --- build.py new ------------------------------------------------------------------------------------------------

@pytest.fixture
def guide_copy(tmp_path) -> Path:
    target = tmp_path / "guide"
    shutil.copytree(MINIMAL, target)
    return target


def errors_in(run, file: str) -> list[tuple[int, str]]:
    found = []
    for line in run.stderr.splitlines():
        # The path is printed from the current folder, or whole: it ends with the file's place in the guide.
        if match := re.match(rf"(?:\S*/)?{re.escape(file)}:(\d+)(?::\d+)?: (.+?): ", line):
            found.append((int(match.group(1)), match.group(2)))
    return found


@pytest.mark.parametrize("kind", ["drug", "procedure"])
def test_a_new_treatment_is_refused_field_by_field_until_it_is_written(guide_copy, kind):
    assert run_build("new", "treatment", "new-one", "--kind", kind, "--content", str(guide_copy)).returncode == 0
    path = guide_copy / "treatments" / "new-one.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert (path.parent / lines[0].removeprefix(SCHEMA_LINE)).resolve() == schema_path(PROJECT, TREATMENT_KIND)
    run = run_build("check", "--content", str(guide_copy))
    assert run.returncode == 2
    located = errors_in(run, "treatments/new-one.yml")
    assert all(line > 0 for line, _ in located)
    # Every line the scaffold marks (a TODO or an empty value) is named, with its field.
    marked = {number for number, text in enumerate(lines, 1) if not text.startswith("#")
              and ("TODO" in text or re.search(r': (""|\[\])\s', text + " "))}
    assert marked == {line for line, _ in located}
    fields = {field.split(" › ")[0] for _, field in located}  # "safety › kidney › en": the field in words
    assert {"name", "regimen", "placement", "references", "last_reviewed", "safety"} <= fields
    assert len(run.stderr.splitlines()) == len(located) + 1  # nothing else in the guide is blamed

    filled = fill_scaffold(path.read_text(encoding="utf-8"))
    path.write_text(filled, encoding="utf-8")
    run = run_build("check", "--content", str(guide_copy))
    assert run.returncode == 0, run.stderr

    # One field left to write is enough to refuse the file, at that field's line.
    left = filled.replace("Test regimen [@bienvenu-2014].", "TODO: the regimen", 1)
    path.write_text(left, encoding="utf-8")
    run = run_build("check", "--content", str(guide_copy))
    regimen_line = next(number for number, text in enumerate(left.splitlines(), 1) if text.startswith("regimen:"))
    assert run.returncode == 2
    assert errors_in(run, "treatments/new-one.yml") == [(regimen_line, "regimen › en")]


def fill_scaffold(text: str) -> str:
    """What an editor writes into a new treatment file: a cited text for each TODO, a value for each empty one."""
    values = {"last_reviewed": "2026-12-04", "tiers": "[surgery]", "placement": "review-2014",
              "status": "review-tier", "indications": "[localized]", "level": "case-series", "patients": "9",
              "references": "[bienvenu-2014]", "fr": "nouveau-traitement"}
    out = []
    for line in text.splitlines():
        key = line.strip().split(":")[0]
        if key in values and re.search(r': (""|\[\])', line):
            line = re.sub(r': (""|\[\])', f": {values[key]}", line, count=1)
        if "TODO" in line:
            field = key.removeprefix("- ")
            line = re.sub(r'\{en: "TODO[^"]*", fr: "TODO[^"]*"\}',
                          f'{{en: "Test {field} [@bienvenu-2014].", fr: "Test {field} [@bienvenu-2014]."}}', line)
        out.append(line)
    return "\n".join(out) + "\n"


def test_a_new_reference_is_refused_field_by_field_until_it_is_written(guide_copy):
    assert run_build("new", "reference", "new-2026", "--content", str(guide_copy)).returncode == 0
    run = run_build("check", "--content", str(guide_copy))
    assert run.returncode == 2
    fields = {field.rsplit(" › ", 1)[-1] for _, field in errors_in(run, "references.yml")}
    assert {"language", "authors", "title", "journal", "year", "doi", "checked"} <= fields


def test_a_new_chapter_is_refused_until_it_is_written(guide_copy):
    (guide_copy / "evaluation.yml").unlink()
    assert run_build("new", "chapter", "evaluation", "--content", str(guide_copy)).returncode == 0
    run = run_build("check", "--content", str(guide_copy))
    assert run.returncode == 2
    fields = {field for _, field in errors_in(run, "evaluation.yml")}
    assert {"title › en", "last_reviewed", "intro › en", "the first section › body › fr"} <= fields


def test_new_never_overwrites_and_refuses_a_bad_id(guide_copy):
    before = (guide_copy / "treatments" / "diltiazem.yml").read_bytes()
    run = run_build("new", "treatment", "diltiazem", "--content", str(guide_copy))
    assert run.returncode == 2 and "already exists" in run.stderr
    assert (guide_copy / "treatments" / "diltiazem.yml").read_bytes() == before
    run = run_build("new", "treatment", "Bad_Id", "--content", str(guide_copy))
    assert run.returncode == 2 and "is not an id" in run.stderr
    run = run_build("new", "reference", "bienvenu-2014", "--content", str(guide_copy))
    assert run.returncode == 2 and "already exists" in run.stderr
