"""Issue 30, items 4 and 5: `check` reports every mistake of a run at once, without the errors that only follow
from another one, and each message says where (path:line:column, positions counted from one, in words) and what
to write (quotes, the reference entry to add), never sending an editor to a Python file."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from calcguide.content.errors import field_in_words
from conftest import errors_of, replace_in, run_build


def line_of(path: Path, needle: str) -> int:
    return next(number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)

EDITOR_LINE = re.compile(r"^(?P<file>[\w./-]+\.yml):(?P<line>\d+):(?P<column>\d+): (?P<field>[^:]+): (?P<message>.+)$")


def _new_treatment_with_four_kinds_of_mistakes(content: Path) -> Path:
    """A copy of diltiazem as a new treatment: a misspelt field (schema), an unknown tier (cross-file), a
    reference cited in two places but not listed (references), and an arrow that skips a row (algorithm)."""
    text = (content / "treatments" / "diltiazem.yml").read_text(encoding="utf-8")
    text = text.replace("id: diltiazem", "id: nifedipine", 1).replace("tiers: [first-line]", "tiers: [first-lin]")
    text = text.replace("slug: {en: diltiazem, fr: diltiazem}", "slug: {en: nifedipine, fr: nifedipine}")
    text = text.replace("search_terms:", "serch_terms:", 1)
    text = text.replace("[@palmieri-1995]", "[@nifedipine-2099]", 2)
    path = content / "treatments" / "nifedipine.yml"
    path.write_text(text, encoding="utf-8")
    algorithm = content / "algorithm.yml"
    algorithm.write_text(algorithm.read_text(encoding="utf-8").replace(
        "  - {from: first-line, to: extent}", "  - {from: first-line, to: extent}\n  - {from: start, to: extent}", 1),
        encoding="utf-8")
    return path


def test_one_run_reports_schema_tier_reference_and_chart_mistakes_together(content_copy):
    path = _new_treatment_with_four_kinds_of_mistakes(content_copy)
    errors = errors_of(content_copy)
    assert len(errors) == 4, "\n".join(errors)
    assert any(error.startswith(f"treatments/nifedipine.yml:{line_of(path, 'serch_terms:')}: serch_terms: unknown field")
               for error in errors)
    assert any("unknown tier id 'first-lin'" in error for error in errors)
    assert sum("'nifedipine-2099'" in error for error in errors) == 1  # two citations, one message
    assert any(error.startswith("algorithm.yml:") and "would cross a row" in error for error in errors)


def test_the_command_line_prints_each_mistake_as_path_line_column(content_copy):
    _new_treatment_with_four_kinds_of_mistakes(content_copy)
    result = run_build("check", "--content", str(content_copy))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    located = [EDITOR_LINE.match(row) for row in result.stderr.splitlines() if re.match(r"^\S+\.yml:\d", row)]
    assert len(located) == 4 and all(located), result.stderr
    assert ".py" not in result.stderr
    assert "4 content error(s)" in result.stderr


def test_a_missing_reference_gives_one_message_with_the_entry_to_paste(content_copy):
    path = _new_treatment_with_four_kinds_of_mistakes(content_copy)
    [message] = [error for error in errors_of(content_copy) if "'nifedipine-2099'" in error]
    first = line_of(path, "summary:") + 1  # the text that cites it first
    assert message.startswith(f"treatments/nifedipine.yml:{first}: ")
    assert "unknown reference id 'nifedipine-2099' (also cited at" in message
    assert "references.yml does not list it; add it at the end of references.yml" in message
    assert "did you mean" not in message
    stub = message.split("\n", 1)[1]
    assert stub.splitlines()[0] == "  - id: nifedipine-2099"
    assert {"authors:", "title:", "journal:", "year:", "doi:", "checked:"} <= {row.strip() for row in stub.splitlines()}


def test_a_follow_on_error_of_a_wrong_field_is_left_out(content_copy):
    # A status the schema refuses is reported once; the checks that read the status stay silent about it.
    path = content_copy / "treatments" / "rituximab.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: other-option", "status: supportive", 1),
                    encoding="utf-8")
    errors = errors_of(content_copy)
    assert len(errors) == 1 and errors[0].startswith(f"treatments/rituximab.yml:{line_of(path, 'status:')}: status:"), errors


def test_a_treatment_named_by_its_file_is_known_even_when_its_id_line_is_wrong(content_copy):
    path = content_copy / "treatments" / "colchicine.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("id: colchicine", "id: colchicin", 1), encoding="utf-8")
    errors = errors_of(content_copy)
    assert len(errors) == 1 and "differs from the file name" in errors[0], errors
    assert not any("there is no file treatments/colchicine.yml" in error for error in errors)


def test_a_comma_inside_braces_gets_the_advice_to_quote_the_text(content_copy):
    path = content_copy / "treatments" / "colchicine.yml"
    text = path.read_text(encoding="utf-8")
    name = next(row for row in text.splitlines() if row.startswith("name:"))
    path.write_text(text.replace(name, "name: {en: Colchicine, oral, fr: Colchicine}", 1), encoding="utf-8")
    errors = errors_of(content_copy)
    assert len(errors) == 1 and "put the whole text in quotes" in errors[0], errors


def test_a_text_cut_by_a_hash_gets_the_advice_to_quote_it(content_copy):
    path = content_copy / "treatments" / "colchicine.yml"
    text = path.read_text(encoding="utf-8")
    name = next(row for row in text.splitlines() if row.startswith("name:"))
    path.write_text(text.replace(name, "name:\n  en: Colchicine #1 choice\n  fr: Colchicine", 1), encoding="utf-8")
    errors = errors_of(content_copy)
    assert len(errors) == 1 and "put the whole text in quotes" in errors[0] and "#1 choice" in errors[0], errors


def test_an_unknown_page_names_the_pages_not_a_python_file(content_copy):
    path = content_copy / "changes.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("pages: []", "pages: [no-such-page]", 1), encoding="utf-8")
    errors = errors_of(content_copy)
    assert len(errors) == 1 and "unknown page id 'no-such-page'" in errors[0] and ".py" not in errors[0], errors


def test_positions_are_counted_from_one_in_words():
    assert field_in_words("safety.interactions.1.treatment") == "safety › the second interaction › treatment"
    assert field_in_words("brands.0.countries.2") == "the first brand › the third country"
    assert field_in_words("search_terms.en.0") == "search_terms › en › the first item"
    assert field_in_words("regimen.fr") == "regimen › fr"


def test_a_new_algorithm_box_with_four_mistakes_is_reported_in_one_run(content_copy):
    # The editor's third task (README): a box without its French label, a misspelt treatment, a link to a
    # section that does not exist, and an arrow that skips rows. The box that fails its schema is still checked.
    algorithm = content_copy / "algorithm.yml"
    text = algorithm.read_text(encoding="utf-8")
    text = text.replace("edges:\n", (
        "  - id: ulcers\n    kind: action\n    label: {en: \"Ulcer, pain or infection: supportive care\"}\n"
        "    treatments: [surgical-excison]\n    pages: [\"care#infections\"]\nedges:\n"), 1)
    text = text.replace("key_references:", "  - {from: surgery, to: ulcers}\n  - {from: start, to: ulcers}\n"
                        "key_references:", 1)
    algorithm.write_text(text, encoding="utf-8")
    errors = errors_of(content_copy)
    assert len(errors) == 4, "\n".join(errors)
    assert any("label.fr: this field is required" in error for error in errors)
    assert any("unknown treatment id 'surgical-excison'" in error for error in errors)
    assert any("unknown care section id 'infections'" in error for error in errors)
    assert any("would cross a row of the chart" in error for error in errors)


# --- every YAML syntax mistake of a file, then the rest of the guide (calcguide/content/yamlrepair.py) ------------

def _set_line(path: Path, start: str, new: str) -> int:
    """Replace the first line of `path` that starts with `start` by `new`; its number."""
    lines = path.read_text(encoding="utf-8").split("\n")
    number = next(number for number, line in enumerate(lines) if line.startswith(start))
    lines[number] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


def test_every_syntax_mistake_of_a_file_is_told_with_what_to_write(content_copy):
    path = content_copy / "treatments" / "colchicine.yml"
    _set_line(path, "drug_class:", "drug_class:\n  en: Anti-inflammatory: alkaloid\n  fr: Anti-inflammatoire")
    _set_line(path, "name:", 'name:\n  en: "Colchicine\n  fr: Colchicine')
    _set_line(path, "tiers:", "tiers: [first-line")
    errors = errors_of(content_copy)
    assert errors == [
        f"treatments/colchicine.yml:{line_of(path, 'en: ' + chr(34))}: name.en: a quote opened here is not closed "
        "on its line, so the text runs on into the lines below; close it with the same quote mark",
        f"treatments/colchicine.yml:{line_of(path, 'alkaloid')}: drug_class.en: YAML syntax error: a text contains "
        "': ' (colon and space); put the whole text in quotes (en: \"Dose: 1 g\") (mapping values are not allowed "
        "in this context)",
        f"treatments/colchicine.yml:{line_of(path, 'tiers:')}: tiers: YAML syntax error: a bracket opened on this "
        "line is not closed; end the line with ]",
    ], "\n".join(errors)


def test_a_file_whose_syntax_mistakes_are_mended_as_advised_is_checked_further(content_copy):
    path = content_copy / "treatments" / "colchicine.yml"
    _set_line(path, "drug_class:", "drug_class:\n  en: Anti-inflammatory: alkaloid\n  fr: Anti-inflammatoire")
    replace_in(path, "status: review-tier", "status: reviewtier")
    errors = errors_of(content_copy)
    assert len(errors) == 2, "\n".join(errors)
    assert "put the whole text in quotes" in errors[0]
    assert "status: expected 'review-tier', 'other-option', 'no-longer-recommended' or 'supportive-care', not " \
           "'reviewtier'" in errors[1]


def test_every_key_written_twice_is_told_once(content_copy):
    path = content_copy / "treatments" / "colchicine.yml"
    replace_in(path, "kind: drug", "kind: drug\nkind: drug")
    replace_in(path, "placement: review-2014", "placement: review-2014\nplacement: review-2014")
    errors = errors_of(content_copy)
    assert [error.split(": ", 2)[1:] for error in errors] == [
        ["kind", "the key 'kind' is written twice in the same block; keep one of them"],
        ["placement", "the key 'placement' is written twice in the same block; keep one of them"]], errors


def test_every_line_indented_with_a_tab_is_told(content_copy):
    path = content_copy / "treatments" / "colchicine.yml"
    replace_in(path, "kind: drug", "\tkind: drug")
    replace_in(path, "status: review-tier", "\tstatus: review-tier")
    errors = errors_of(content_copy)
    assert len(errors) == 2 and all("a tab is used for indentation; indent with spaces" in error for error in errors)


def test_a_quote_inside_a_quoted_text_gets_the_advice_of_the_other_quotes(content_copy):
    path = content_copy / "treatments" / "colchicine.yml"
    _set_line(path, "drug_class:", "drug_class:\n  en: 'Crohn's disease drug'\n  fr: Anti-inflammatoire")
    [error] = errors_of(content_copy)
    assert "(a quote inside the text ended it); write the text inside the other quotes" in error


def test_a_treatment_whose_file_has_a_syntax_mistake_is_not_unknown_elsewhere(content_copy):
    # The algorithm, tiers and interactions name colchicine: none of them says it is unknown.
    replace_in(content_copy / "treatments" / "colchicine.yml", "kind: drug", "\tkind: drug\n  oops: [")
    errors = errors_of(content_copy)
    assert errors and all(error.startswith("treatments/colchicine.yml:") for error in errors), errors


# --- misspelt values: one message, the allowed values, nothing that follows from it --------------------------------

@pytest.mark.parametrize("written, misspelt, allowed", [
    ("placement: review-2014", "placement: review2014", "expected 'review-2014', 'not-in-abstract' or 'later-evidence'"),
    ("status: review-tier", "status: reviewtier", "'review-tier', 'other-option', 'no-longer-recommended' or "
                                                  "'supportive-care'"),
    ("tiers: [first-line]", "tiers: [firstline]", "unknown tier id 'firstline'; did you mean 'first-line'?"),
    ("level: case-series", "level: caseseries", "unknown evidence level id 'caseseries'; did you mean 'case-series'"),
])
def test_a_misspelt_value_is_one_message_with_the_allowed_values(content_copy, written, misspelt, allowed):
    replace_in(content_copy / "treatments" / "diltiazem.yml", written, misspelt)
    errors = errors_of(content_copy)
    assert len(errors) == 1 and allowed in errors[0], "\n".join(errors)


def test_a_misspelt_status_of_a_treatment_named_no_longer_recommended_is_one_message(content_copy):
    replace_in(content_copy / "treatments" / "warfarin.yml", "status: no-longer-recommended",
               "status: no-longer-recomended")
    errors = errors_of(content_copy)
    assert len(errors) == 1 and errors[0].startswith("treatments/warfarin.yml:"), errors


# --- nine mistakes of different kinds across files: nine messages --------------------------------------------------

def test_nine_mistakes_of_nine_kinds_across_files_give_nine_messages(content_copy, monkeypatch):
    treatments = content_copy / "treatments"
    class_line = _set_line(treatments / "diltiazem.yml", "drug_class:",            # 1 YAML: ': ' in a text
              "drug_class:\n  en: Calcium channel blocker: benzothiazepine\n  fr: Inhibiteur calcique")
    replace_in(treatments / "diltiazem.yml", "status: review-tier", "status: review")  # 2 schema, same file
    name_line = _set_line(treatments / "colchicine.yml", "name:",                  # 3 YAML: quote
                          'name: {en: Colchicine, fr: "Colchicine}')
    replace_in(treatments / "colchicine.yml", "**1 mg a day by mouth**", "**2 mg a day by mouth**")  # 4 numbers
    replace_in(treatments / "rituximab.yml", "kind: drug", "kind: drug\nkind: drug")  # 5 YAML: key twice
    text = (treatments / "minocycline.yml").read_text(encoding="utf-8")
    (treatments / "minocycline.yml").write_text(text.replace("[@bienvenu-2014]", "[@bienvenu-2041]"),  # 6 reference
                                                encoding="utf-8")
    replace_in(treatments / "warfarin.yml", "drug_class:", "drugclass:")             # 7 schema: unknown field
    replace_in(content_copy / "algorithm.yml", "treatments: [minocycline]", "treatments: [minocyclin]")  # 8 chart
    kind_line = _set_line(treatments / "probenecid.yml", "kind: drug", "\tkind: drug")  # 9 YAML: tab
    monkeypatch.chdir(content_copy.parent)
    result = run_build("check", "--content", "content")
    located = [line for line in result.stderr.splitlines() if re.match(r"^\S+\.yml:\d", line)]
    assert result.returncode == 2 and len(located) == 9, result.stderr
    assert "9 content error(s)" in result.stderr
    assert all(EDITOR_LINE.match(line) and line.startswith("content/") for line in located), located
    kinds = [f"diltiazem.yml:{class_line + 1}:", "status: expected", f"colchicine.yml:{name_line}:",
             "the French text says 1 mg", "kind: the key",
             "unknown reference id 'bienvenu-2041'", "drugclass: unknown field", "unknown treatment id 'minocyclin'",
             f"probenecid.yml:{kind_line}:1: kind: a tab"]
    assert all(any(kind in line for line in located) for kind in kinds), "\n".join(located)


def test_paths_are_printed_from_the_current_folder(content_copy, monkeypatch):
    kind_line = _set_line(content_copy / "treatments" / "diltiazem.yml", "kind: drug", "kind: pill")
    monkeypatch.chdir(content_copy.parent.parent)
    result = run_build("check", "--content", str(content_copy))
    relative = content_copy.relative_to(content_copy.parent.parent).as_posix()
    assert f"\n{relative}/treatments/diltiazem.yml:{kind_line}:1: kind: expected" in f"\n{result.stderr}", result.stderr


def test_a_control_character_in_a_file_is_one_located_message(content_copy):
    # YAML's reader refuses it before any parse: no repair to try, one message at its place, no traceback.
    path = content_copy / "references.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("references:", "references:\x01", 1), encoding="utf-8")
    line = text[:text.index("references:")].count("\n") + 1
    [error] = errors_of(content_copy)
    assert error.startswith(f"references.yml:{line}:") and "U+0001 (a control character)" in error, error


def test_the_search_for_an_open_quote_stops_at_brackets_no_content_nests(monkeypatch):
    # The pure-Python scanner's cost per token grows with the open brackets: read to the end, 100 000 nested
    # brackets took 46 s. The search gives up past RUNAWAY_MAX_BRACKETS, whatever follows.
    import yaml

    from calcguide.content import yamlrepair

    tokens = []
    real_get_token = yaml.SafeLoader.get_token
    monkeypatch.setattr(yaml.SafeLoader, "get_token", lambda self: tokens.append(1) or real_get_token(self))
    depth = 100_000
    text = "deep: " + "[" * depth + "]" * depth
    assert yamlrepair._runaway_in(text, text.split("\n")) is None
    assert len(tokens) < 2 * yamlrepair.RUNAWAY_MAX_BRACKETS
