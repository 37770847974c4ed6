"""A corpus of editors' mistakes: each one, made in a copy of the real content, stops `build.py` with status 2,
names the file and the line to fix, prints no traceback, and leaves the previously built site/ and dist/ as they
were. Each mistake is a small edit of a stable line of the real content (found by its shape, not its wording),
so the corpus keeps working while the content grows."""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from calcguide.pipeline import Layout
from conftest import PROJECT, SOURCES, Built, run_build, tree_digest

EXIT_CONTENT_ERROR = 2


def output_digest(layout: Layout) -> tuple[dict, dict]:
    return tree_digest(layout.site_dir), tree_digest(layout.dist_dir)


@pytest.fixture(scope="module")
def previous(built: Built) -> Built:
    """The session's build of the real content: the 'previous site' that broken builds must keep."""
    return built


# --- editing a copy of the content by the shape of its lines ------------------------------------------------


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines), encoding="utf-8")


def find_line(path: Path, pattern: str, after: int = 0) -> int:
    """Index (0-based) of the first line matching pattern, at or after `after`."""
    for index, line in enumerate(lines_of(path)):
        if index >= after and re.search(pattern, line):
            return index
    raise AssertionError(f"no line matching {pattern!r} in {path.name}: the fixture no longer fits the content")


def single_line_value(path: Path, key: str, after: int = 0) -> int:
    """A `key: value` line whose value fits on it (not a >- block, not continued on the next line)."""
    lines = lines_of(path)
    index = after
    while True:
        index = find_line(path, rf"^\s*(- )?{key}: (?![>|]).+$", index)
        indent = len(lines[index]) - len(lines[index].lstrip(" -"))
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if not following.strip() or len(following) - len(following.lstrip(" -")) <= indent:
            return index
        index += 1


def set_value(path: Path, index: int, value: str) -> int:
    """Replace the value of the `key: value` line at index; returns its 1-based line number."""
    lines = lines_of(path)
    key = re.match(r"^(\s*(?:- )?[\w-]+:)", lines[index]).group(1)
    lines[index] = f"{key} {value}" if value else key
    write_lines(path, lines)
    return index + 1


def insert_line(path: Path, index: int, text: str) -> int:
    lines = lines_of(path)
    lines.insert(index, text)
    write_lines(path, lines)
    return index + 1


def delete_line(path: Path, index: int) -> None:
    lines = lines_of(path)
    del lines[index]
    write_lines(path, lines)


def indent_of(path: Path, index: int) -> str:
    line = lines_of(path)[index]
    return line[: len(line) - len(line.lstrip(" "))]


def first_reference(content: Path) -> tuple[Path, int]:
    """references.yml and the line of its first entry (`- id: bienvenu-2014`)."""
    path = content / "references.yml"
    return path, find_line(path, r"^\s*- id: ")


def first_reference_field(content: Path, key: str) -> tuple[Path, int]:
    path, start = first_reference(content)
    return path, single_line_value(path, key, start)


def first_note_text(content: Path, lang: str = "en") -> tuple[Path, int]:
    """A one-line `en:` text: the note of the first reference."""
    path, start = first_reference(content)
    return path, single_line_value(path, lang, find_line(path, r"^\s+note:", start))


DILTIAZEM = "treatments/diltiazem.yml"


# --- the corpus ------------------------------------------------------------------------------------------------
# Each mistake edits the copy and returns (file, line) where the editor must look; `says` is part of the message.


@dataclass(frozen=True)
class Mistake:
    name: str
    make: Callable[[Path], tuple[str, int]]
    says: str


def _unclosed_list(content: Path) -> tuple[str, int]:
    path = content / DILTIAZEM
    index = find_line(path, r"^tiers: \[.*\]$")
    lines = lines_of(path)
    lines[index] = lines[index].rstrip("]")
    write_lines(path, lines)
    return DILTIAZEM, index + 1


def _colon_in_text(content: Path) -> tuple[str, int]:
    path, index = first_reference_field(content, "journal")
    return "references.yml", set_value(path, index, "Rev: Med Interne")


def _tab_indent(content: Path) -> tuple[str, int]:
    path = content / DILTIAZEM
    index = find_line(path, r"^  en: ")
    lines = lines_of(path)
    lines[index] = "\t" + lines[index].lstrip(" ")
    write_lines(path, lines)
    return DILTIAZEM, index + 1


def _not_utf8(content: Path) -> tuple[str, int]:
    path = content / "tiers.yml"
    text = path.read_text(encoding="utf-8")
    first_accent = next(position for position, char in enumerate(text) if ord(char) > 127 and ord(char) < 256)
    path.write_bytes(text.encode("latin-1", errors="replace"))  # what an old Windows editor would save
    return "tiers.yml", text[:first_accent].count("\n") + 1


def _empty_file(content: Path) -> tuple[str, int]:
    (content / "glossary.yml").write_text("", encoding="utf-8")
    return "glossary.yml", 1


def _only_comments(content: Path) -> tuple[str, int]:
    (content / "evidence.yml").write_text("# to be written\n", encoding="utf-8")
    return "evidence.yml", 1


def _list_at_top(content: Path) -> tuple[str, int]:
    (content / "tiers.yml").write_text("- first-line\n- surgery\n", encoding="utf-8")
    return "tiers.yml", 1


def _key_twice(content: Path) -> tuple[str, int]:
    path = content / DILTIAZEM
    index = find_line(path, r"^kind: ")
    return DILTIAZEM, insert_line(path, index + 1, lines_of(path)[index])


def _unknown_key(content: Path) -> tuple[str, int]:
    path, start = first_reference(content)
    return "references.yml", insert_line(path, start + 1, indent_of(path, start + 1) + "jornal: Rev Med Interne")


def _missing_field(content: Path) -> tuple[str, int]:
    path, index = first_reference_field(content, "journal")
    delete_line(path, index)
    return "references.yml", first_reference(content)[1] + 1


def _year_in_words(content: Path) -> tuple[str, int]:
    path, index = first_reference_field(content, "year")
    return "references.yml", set_value(path, index, "twenty fourteen")


def _impossible_year(content: Path) -> tuple[str, int]:
    path, index = first_reference_field(content, "year")
    return "references.yml", set_value(path, index, "2104")


def _doi_as_url(content: Path) -> tuple[str, int]:
    path, index = first_reference_field(content, "doi")
    doi = lines_of(path)[index].split("doi:", 1)[1].strip()
    return "references.yml", set_value(path, index, f"https://doi.org/{doi}")


def _pmid_with_letters(content: Path) -> tuple[str, int]:
    path, index = first_reference_field(content, "doi")
    return "references.yml", insert_line(path, index + 1, indent_of(path, index) + "pmid: PMID24931537")


def _pmid_too_long(content: Path) -> tuple[str, int]:
    path, index = first_reference_field(content, "doi")
    return "references.yml", insert_line(path, index + 1, indent_of(path, index) + "pmid: 249315370001")


def _date_written_french_way(content: Path) -> tuple[str, int]:
    path, index = first_reference_field(content, "checked")
    return "references.yml", set_value(path, index, "29/11/2026")


def _unknown_tier_name(content: Path) -> tuple[str, int]:
    path = content / DILTIAZEM
    return DILTIAZEM, set_value(path, find_line(path, r"^tiers: "), "[first-line-therapy]")


def _unknown_kind(content: Path) -> tuple[str, int]:
    path = content / DILTIAZEM
    return DILTIAZEM, set_value(path, find_line(path, r"^kind: "), "pill")


def _missing_french(content: Path) -> tuple[str, int]:
    path, index = first_note_text(content, "fr")
    delete_line(path, index)
    return "references.yml", find_line(path, r"^\s+note:", first_reference(content)[1]) + 1


def _empty_french(content: Path) -> tuple[str, int]:
    path, index = first_note_text(content, "fr")
    return "references.yml", set_value(path, index, '""')


def _nothing_after_colon(content: Path) -> tuple[str, int]:
    path, index = first_note_text(content, "en")
    return "references.yml", set_value(path, index, "")


def _number_for_a_text(content: Path) -> tuple[str, int]:
    path, index = first_reference_field(content, "journal")
    return "references.yml", set_value(path, index, "2014")


def _duplicate_reference_id(content: Path) -> tuple[str, int]:
    path, first = first_reference(content)
    second = find_line(path, r"^\s*- id: ", first + 1)
    return "references.yml", set_value(path, second, lines_of(path)[first].split("id:")[1].strip())


def _id_with_capitals_and_spaces(content: Path) -> tuple[str, int]:
    path = content / "glossary.yml"
    return "glossary.yml", set_value(path, find_line(path, r"^\s*- id: "), "Calcinosis Cutis")


def _id_differs_from_file_name(content: Path) -> tuple[str, int]:
    path = content / DILTIAZEM
    return DILTIAZEM, set_value(path, find_line(path, r"^id: "), "diltiazem-hydrochloride")


def _unknown_reference_in_list(content: Path) -> tuple[str, int]:
    path = content / DILTIAZEM
    index = find_line(path, r"^references: \[")
    lines = lines_of(path)
    lines[index] = lines[index].replace("[", "[no-such-paper, ", 1)
    write_lines(path, lines)
    return DILTIAZEM, index + 1


def _brand(content: Path, change: Callable[[str], str]) -> tuple[str, int]:
    """Change the first brand line of diltiazem.yml (`  - {name: …, countries: […], source: …}`)."""
    path = content / DILTIAZEM
    index = find_line(path, r"^  - \{name: .*, source: [a-z0-9-]+\}$", find_line(path, r"^brands:$"))
    lines = lines_of(path)
    lines[index] = change(lines[index])
    write_lines(path, lines)
    return DILTIAZEM, index + 1


def _brand_without_source(content: Path) -> tuple[str, int]:
    return _brand(content, lambda line: line[:line.index(", source:")] + "}")


def _brand_sourced_by_an_article(content: Path) -> tuple[str, int]:
    return _brand(content, lambda line: line[:line.index("source:")] + "source: palmieri-1995}")


def _unknown_citation_in_text(content: Path) -> tuple[str, int]:
    path, index = first_note_text(content)
    return "references.yml", set_value(path, index, "As reported [@no-such-paper].")


def _algorithm_unknown_treatment(content: Path) -> tuple[str, int]:
    path = content / "algorithm.yml"
    return "algorithm.yml", set_value(path, find_line(path, r"^\s+treatments: \["), "[no-such-treatment]")


def _algorithm_edge_to_nowhere(content: Path) -> tuple[str, int]:
    path = content / "algorithm.yml"
    index = find_line(path, r"^\s*- \{from: [\w-]+, to: [\w-]+\}$")
    lines = lines_of(path)
    lines[index] = re.sub(r"to: [\w-]+", "to: nowhere", lines[index])
    write_lines(path, lines)
    return "algorithm.yml", index + 1


def _algorithm_cycle(content: Path) -> tuple[str, int]:
    path = content / "algorithm.yml"
    index = find_line(path, r"^\s*- \{from: [\w-]+, to: [\w-]+\}$")
    source, target = re.search(r"from: ([\w-]+), to: ([\w-]+)", lines_of(path)[index]).groups()
    insert_line(path, index + 1, f"{indent_of(path, index)}- {{from: {target}, to: {source}}}")
    return "algorithm.yml", find_line(path, r"^edges:") + 1


def _treatment_file_deleted(content: Path) -> tuple[str, int]:
    (content / DILTIAZEM).unlink()
    path = content / "algorithm.yml"
    return "algorithm.yml", find_line(path, r"^\s+treatments: \[.*\bdiltiazem\b") + 1


def _references_file_deleted(content: Path) -> tuple[str, int]:
    (content / "references.yml").unlink()
    return "references.yml", 1


def _tier_renamed(content: Path) -> tuple[str, int]:
    path = content / "tiers.yml"
    set_value(path, find_line(path, r"^\s*- id: first-line$"), "first-line-treatment")
    return DILTIAZEM, find_line(content / DILTIAZEM, r"^tiers: .*first-line") + 1


def _markup(text: str) -> Callable[[Path], tuple[str, int]]:
    def make(content: Path) -> tuple[str, int]:
        path, index = first_note_text(content)
        return "references.yml", set_value(path, index, text)

    return make


MISTAKES = [
    Mistake("yaml-unclosed-list", _unclosed_list, "YAML syntax error"),
    Mistake("yaml-colon-in-text", _colon_in_text, "put the whole text in quotes"),
    Mistake("yaml-tab-indentation", _tab_indent, "indent with spaces"),
    Mistake("not-utf8", _not_utf8, "UTF-8"),
    Mistake("empty-file", _empty_file, "the file is empty"),
    Mistake("only-comments", _only_comments, "the file is empty"),
    Mistake("list-instead-of-mapping", _list_at_top, "YAML mapping"),
    Mistake("key-written-twice", _key_twice, "written twice"),
    Mistake("unknown-key", _unknown_key, "unknown field"),
    Mistake("missing-field", _missing_field, "journal: this field is required"),
    Mistake("year-in-words", _year_in_words, "year: expected a whole number"),
    Mistake("impossible-year", _impossible_year, "impossible value 2104 for a year"),
    Mistake("doi-written-as-url", _doi_as_url, "is not a DOI"),
    Mistake("pmid-with-letters", _pmid_with_letters, "PMID"),
    Mistake("pmid-too-long", _pmid_too_long, "impossible value 249315370001 for a PMID"),
    Mistake("date-day-first", _date_written_french_way, "YYYY-MM-DD"),
    Mistake("unknown-tier-name", _unknown_tier_name, "unknown tier id 'first-line-therapy'"),
    Mistake("unknown-kind", _unknown_kind, "expected 'drug', 'local' or 'procedure', not 'pill'"),
    Mistake("missing-french", _missing_french, "note › fr: this field is required"),
    Mistake("empty-french", _empty_french, "the text is empty"),
    Mistake("nothing-after-colon", _nothing_after_colon, "nothing is written after 'en:'"),
    Mistake("number-for-a-text", _number_for_a_text, "expected a text, not 2014"),
    Mistake("duplicate-id", _duplicate_reference_id, "duplicate reference id"),
    Mistake("invalid-id", _id_with_capitals_and_spaces, "not a valid id"),
    Mistake("id-differs-from-file-name", _id_differs_from_file_name, "differs from the file name"),
    Mistake("unknown-reference", _unknown_reference_in_list, "unknown reference id 'no-such-paper'"),
    Mistake("unknown-citation", _unknown_citation_in_text, "unknown reference id 'no-such-paper'"),
    Mistake("brand-without-source", _brand_without_source, "the first brand › source: this field is required"),
    Mistake("brand-sourced-by-an-article", _brand_sourced_by_an_article, "is a reference of kind article"),
    Mistake("algorithm-unknown-treatment", _algorithm_unknown_treatment, "unknown treatment id 'no-such-treatment'"),
    Mistake("algorithm-edge-to-nowhere", _algorithm_edge_to_nowhere, "node 'nowhere', which does not exist"),
    Mistake("algorithm-cycle", _algorithm_cycle, "the algorithm has a cycle"),
    Mistake("treatment-file-deleted", _treatment_file_deleted, "there is no file treatments/diltiazem.yml"),
    Mistake("references-file-deleted", _references_file_deleted, "the file is missing"),
    Mistake("tier-renamed", _tier_renamed, "unknown tier id 'first-line'"),
    Mistake("html-script", _markup('"<script>alert(1)</script>"'), "HTML"),
    Mistake("html-img-onerror", _markup('"<img src=x onerror=alert(1)>"'), "HTML"),
    Mistake("javascript-link", _markup('"[see](javascript:alert(1))"'), "links must start with https://"),
    Mistake("javascript-link-mixed-case", _markup('"[see](JaVaScRiPt:alert(1))"'), "links must start with https://"),
    Mistake("javascript-autolink", _markup('"<javascript:alert(1)>"'), "HTML"),
    Mistake("data-url-link", _markup('"[see](data:text/html;base64,PHNjcmlwdD4=)"'), "links must start with https://"),
    Mistake("html-entity-script", _markup('"&#60;script&#62;alert(1)&#60;/script&#62;"'), "character codes"),
    Mistake("image", _markup('"![banner](https://evil.example/p.png)"'), "images are not allowed"),
    Mistake("two-paragraphs-in-a-line", _markup('"See below.\\n\\n[x]: javascript:alert(1)"'), "one paragraph"),
    Mistake("list-in-a-line", _markup('"- first\\n- second"'), "lists are for section bodies"),
]


def test_corpus_has_at_least_25_mistakes():
    assert len({mistake.name for mistake in MISTAKES}) == len(MISTAKES) >= 25


@pytest.mark.parametrize("mistake", MISTAKES, ids=[mistake.name for mistake in MISTAKES])
def test_mistake_stops_the_build_with_its_file_and_line(mistake, content_copy, previous):
    file, line = mistake.make(content_copy)
    output_before = output_digest(previous)
    layout = previous
    result = run_build("--content", str(content_copy), "--site-dir", str(layout.site_dir),
                       "--dist-dir", str(layout.dist_dir), "--work-dir", str(layout.work_dir))
    assert result.returncode == EXIT_CONTENT_ERROR, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    # Printed from the current folder, or whole when the copy lies outside it.
    located = [row for row in result.stderr.splitlines() if row.startswith(f"{content_copy / file}:{line}:")]
    assert located, f"expected an error at {file}:{line}, got:\n{result.stderr}"
    assert any(mistake.says in row for row in located), result.stderr
    assert output_digest(previous) == output_before


def test_build_reads_but_never_writes_content_docs_or_templates(previous):
    assert previous.sources_after == previous.sources_before


# --- mistakes outside content/: interface strings, templates, MkDocs ------------------------------------------


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of what the build reads (its command line, templates, docs, content), to break templates in."""
    target = tmp_path / "project"
    target.mkdir()
    shutil.copy2(PROJECT / "build.py", target)
    shutil.copy2(PROJECT / "mkdocs.yml", target)
    for folder in SOURCES:
        shutil.copytree(PROJECT / folder, target / folder)
    (target / "node_modules").symlink_to(PROJECT / "node_modules")
    return target


def run_copy(project: Path, previous: Built):
    return run_build("--site-dir", str(previous.site_dir), "--dist-dir", str(previous.dist_dir),
                     "--work-dir", str(project / "build"), project=project)


def test_mistake_in_interface_strings_names_strings_yml_and_line(project_copy, previous):
    path = project_copy / "templates" / "strings.yml"
    index = find_line(path, r"^  [a-z_]+: \{en: [^{}]+, fr: [^{}]+\}$", find_line(path, r"^ui:"))
    lines = lines_of(path)
    lines[index] = re.sub(r"fr: [^{}]+\}$", 'fr: ""}', lines[index])
    write_lines(path, lines)
    result = run_copy(project_copy, previous)
    assert result.returncode == EXIT_CONTENT_ERROR
    assert any(row.startswith(f"{path}:{index + 1}:") and "the text is empty" in row
               for row in result.stderr.splitlines()), result.stderr
    assert "Traceback" not in result.stderr


def test_template_mistake_is_one_located_line_exit_1_and_output_kept(project_copy, previous):
    path = project_copy / "templates" / "pages" / "about.md.j2"
    line = insert_line(path, 1, "{% if %}")
    before = output_digest(previous)
    result = run_copy(project_copy, previous)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [row for row in result.stderr.splitlines() if "error:" in row]
    assert len(errors) == 1 and errors[0].startswith(f"templates/pages/about.md.j2:{line}: "), result.stderr
    assert output_digest(previous) == before


def test_link_mkdocs_refuses_in_strict_mode_is_one_line_exit_1_and_output_kept(project_copy, previous):
    path = project_copy / "templates" / "pages" / "about.md.j2"
    path.write_text(path.read_text(encoding="utf-8") + "\n[a page that does not exist](no-such-page.md)\n",
                    encoding="utf-8")
    before = output_digest(previous)
    result = run_copy(project_copy, previous)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "no-such-page.md" in result.stderr
    assert [row for row in result.stderr.splitlines() if row.startswith("error: ")], result.stderr
    assert output_digest(previous) == before
