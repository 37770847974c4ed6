"""Issue 30, items 4 and 5: `check` reports every mistake of a run at once, without the errors that only follow
from another one, and each message says where (path:line:column, positions counted from one, in words) and what
to write (quotes, the reference entry to add), never sending an editor to a Python file."""
from __future__ import annotations

import re
from pathlib import Path

from calcguide.content.errors import field_in_words
from conftest import errors_of, run_build


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
