"""The content schema accepts the real content and rejects mistakes with file, line and field."""
from __future__ import annotations

from pathlib import Path

from calcguide.content import load_guide
from conftest import PROJECT, errors_of, replace_in, run_build


def line_of(path: Path, needle: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_real_content_is_valid():
    guide = load_guide(PROJECT / "content")
    assert guide.treatments and guide.references.references


def test_missing_french_text_names_file_line_and_field(content_copy):
    path = content_copy / "treatments" / "diltiazem.yml"
    text = path.read_text()
    start = text.index("regimen:")
    french = text.index("  fr:", start)
    path.write_text(text[:french] + text[text.index("\n", french) + 1:])
    errors = errors_of(content_copy)
    assert errors == [f"treatments/diltiazem.yml:{line_of(path, 'regimen:')}: regimen.fr: this field is required"]


def test_unknown_key_is_reported_with_its_line(content_copy):
    path = content_copy / "treatments" / "colchicine.yml"
    replace_in(path, "kind: drug", "kind: drug\ndosage: 1 mg")
    errors = errors_of(content_copy)
    assert errors == [f"treatments/colchicine.yml:{line_of(path, 'dosage:')}: dosage: unknown field; "
                      "check its spelling against the other entries of this file"]


def test_unknown_reference_id_is_reported(content_copy):
    path = content_copy / "treatments" / "colchicine.yml"
    text = path.read_text()
    line = text.splitlines().index(next(l for l in text.splitlines() if l.startswith("references:")))
    replace_in(path, "references: [", "references: [no-such-paper, ")
    errors = errors_of(content_copy)
    assert len(errors) == 1
    assert errors[0].startswith(f"treatments/colchicine.yml:{line + 1}: references.0: unknown reference id 'no-such-paper': "
                                "references.yml does not list it; add it at the end of references.yml")


def test_duplicate_id_names_both_places(content_copy):
    path = content_copy / "evidence.yml"
    levels = path.read_text().count("\n  - id: ")
    path.write_text(path.read_text() + (
        "  - id: case-series\n"
        "    name: {en: Again, fr: Encore}\n"
        "    description: {en: Twice., fr: Deux fois.}\n"))
    errors = errors_of(content_copy)
    lines = [number for number, line in enumerate(path.read_text().splitlines(), 1) if "- id: case-series" in line]
    assert errors == [f"evidence.yml:{lines[1]}: levels.{levels}.id: duplicate evidence level id 'case-series'; "
                      f"already defined at evidence.yml:{lines[0]}"]


def test_check_reports_two_mistakes_in_two_files_and_exits_2(content_copy):
    replace_in(content_copy / "treatments" / "diltiazem.yml", "kind: drug", "kind: pill")
    replace_in(content_copy / "references.yml", "year: 2014", "year: 1066")
    result = run_build("check", "--content", str(content_copy))
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if ".yml:" in line]
    assert len(lines) == 2
    assert lines[0].startswith(f"{content_copy / 'references.yml'}:") and ": the first reference › year: impossible value" in lines[0]
    assert lines[1].startswith(f"{content_copy / 'treatments' / 'diltiazem.yml'}:") and ": kind: expected 'drug', 'local' or 'procedure'" in lines[1]
    assert "Traceback" not in result.stderr


# --- the algorithm is drawn in rows (templates/algorithm-chart.md.j2) -----------------------------------------


def test_algorithm_rows_follow_the_edges_and_keep_file_order():
    algorithm = load_guide(PROJECT / "content").algorithm
    rows = algorithm.rows()
    row_of = {node.id: number for number, row in enumerate(rows) for node in row}
    assert [node.kind for node in rows[0]] == ["start"]
    assert all(row_of[edge.target] == row_of[edge.source] + 1 for edge in algorithm.edges)
    order = [node.id for node in algorithm.nodes]
    assert all([order.index(node.id) for node in row] == sorted(order.index(node.id) for node in row) for row in rows)


def test_algorithm_edge_that_skips_a_row_is_named_with_its_line(content_copy):
    path = content_copy / "algorithm.yml"
    replace_in(path, "  - {from: first-line, to: extent}\n",
               "  - {from: first-line, to: extent}\n  - {from: first-line, to: surgery}\n")
    line = line_of(path, "{from: first-line, to: surgery}")
    errors = errors_of(content_copy)
    assert len(errors) == 1
    assert errors[0].startswith(f"algorithm.yml:{line}: edges.") and "would cross a row of the chart" in errors[0]


def test_algorithm_node_that_nothing_leads_to_is_named(content_copy):
    path = content_copy / "algorithm.yml"
    replace_in(path, "  - {from: surgery, to: reassess, label: {en: Stable or better, fr: Stabilité ou amélioration}}\n", "")
    errors = errors_of(content_copy)
    # The first message names the box; a second may follow from it (the box, now in the first row, makes that row
    # wider than the chart allows).
    assert errors[0].startswith(f"algorithm.yml:{line_of(path, '- id: reassess')}: nodes.") and "'reassess'" in errors[0]


def test_a_brand_name_is_a_name_on_a_box_never_markup_and_its_countries_are_known(content_copy):
    path = content_copy / "treatments" / "diltiazem.yml"
    text = path.read_text()
    path.write_text(text.replace("{name: Tildiem, countries: [FR],", "{name: '<b>Tildiem</b>', countries: [XX],", 1))
    errors = errors_of(content_copy)
    line = line_of(path, "<b>Tildiem</b>")
    assert any(error.startswith(f"treatments/diltiazem.yml:{line}: brands.0.name: ") for error in errors), errors
    assert any(error.startswith(f"treatments/diltiazem.yml:{line}: brands.0.countries.0: ") for error in errors), errors
