"""Drug safety as checked data: a drug cannot lose a safety field unnoticed, an interaction names a real treatment,
and an interaction between two treatments of one algorithm box shows on both pages, in the box and in both
handouts — written once."""
from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
import yaml

from calcguide.content import LANGS, load_guide
from calcguide.content.safety import REQUIRED
from calcguide.handout import HandoutRenderer
from calcguide.render import load_catalogue, render
from conftest import PROJECT, errors_of, line_of, run_build

PLACEHOLDER = '{en: "Not yet written [@bienvenu-2014]", fr: "Pas encore rédigé [@bienvenu-2014]"}'


def complete_safety(content: Path) -> None:
    """Give every treatment that has no safety block yet a minimal one, so that the copy loads (while another
    helper writes the real blocks); a treatment that has one keeps it."""
    for path in (content / "treatments").glob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if "safety" in data:
            continue
        lines = ["safety:", *(f"  {field}: {PLACEHOLDER}" for field in REQUIRED[data["kind"]] if field != "interactions")]
        if "interactions" in REQUIRED[data["kind"]]:
            lines += ["  interactions:", "    - with: {en: Other drugs, fr: Autres médicaments}",
                      f"      mechanism: {PLACEHOLDER}", f"      action: {PLACEHOLDER}"]
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + "\n" + "\n".join(lines) + "\n", encoding="utf-8")


def remove_safety_field(path: Path, field: str) -> int:
    """Delete `field` (and its indented lines) from the safety block of a treatment file; return its line."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("safety:\n")
    begin = next(n for n in range(start + 1, len(lines)) if lines[n].startswith(f"  {field}:"))
    end = next((n for n in range(begin + 1, len(lines)) if not lines[n].startswith("   ")), len(lines))
    path.write_text("".join(lines[:begin] + lines[end:]), encoding="utf-8")
    return start + 1


def a_drug_with_safety(content: Path) -> Path:
    for path in sorted((content / "treatments").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data["kind"] == "drug" and "safety" in data:
            return path
    pytest.skip("no drug has a safety block yet")


# What a drug must state, written out here (README, 'Editing the content'): a field dropped from the code's list
# is then a test that fails, not a test that disappears.
DRUG_FIELDS = ("contraindications", "pregnancy", "breastfeeding", "kidney", "liver", "children", "monitoring",
               "interactions", "short")
LOCAL_FIELDS = ("contraindications", "pregnancy", "before_treatment")


def test_the_required_safety_fields_are_those_the_readme_promises():
    assert REQUIRED == {"drug": DRUG_FIELDS, "local": LOCAL_FIELDS, "procedure": LOCAL_FIELDS}


@pytest.mark.parametrize("field", DRUG_FIELDS)
def test_removing_any_safety_field_of_a_drug_is_reported_with_file_line_and_field(field, content_copy):
    drug = a_drug_with_safety(content_copy)
    complete_safety(content_copy)
    safety_line = remove_safety_field(drug, field)
    expected = f"treatments/{drug.name}:{safety_line}: safety.{field}: missing"
    assert any(error.startswith(expected) for error in errors_of(content_copy)), expected


@pytest.mark.parametrize("kind", ["local", "procedure"])
@pytest.mark.parametrize("field", LOCAL_FIELDS)
def test_removing_any_safety_field_of_a_local_treatment_or_procedure_is_reported(kind, field, content_copy):
    complete_safety(content_copy)
    path = next(p for p in sorted((content_copy / "treatments").glob("*.yml"))
                if yaml.safe_load(p.read_text(encoding="utf-8"))["kind"] == kind)
    safety_line = remove_safety_field(path, field)
    expected = f"treatments/{path.name}:{safety_line}: safety.{field}: missing"
    assert any(error.startswith(expected) for error in errors_of(content_copy)), expected


def test_missing_safety_field_stops_check_with_exit_2_and_no_traceback(content_copy):
    drug = a_drug_with_safety(content_copy)
    complete_safety(content_copy)
    remove_safety_field(drug, "kidney")
    result = run_build("check", "--content", str(content_copy))
    assert result.returncode == 2
    assert f"treatments/{drug.name}:" in result.stdout + result.stderr
    assert "safety › kidney: missing" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_a_procedure_without_a_safety_block_is_a_located_error(content_copy):
    complete_safety(content_copy)
    path = next(p for p in sorted((content_copy / "treatments").glob("*.yml"))
                if yaml.safe_load(p.read_text(encoding="utf-8"))["kind"] == "procedure")
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("safety:\n")], encoding="utf-8")
    first = line_of(path, "id:")  # the treatment as a whole: where its fields start, after the schema line
    assert any(error.startswith(f"treatments/{path.name}:{first}: safety: a treatment of kind procedure needs")
               for error in errors_of(content_copy))


def test_safety_text_without_a_citation_is_refused_where_it_is(content_copy):
    drug = a_drug_with_safety(content_copy)
    complete_safety(content_copy)
    lines = drug.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines, start=1) if line.startswith("  children:"))
    text = drug.read_text(encoding="utf-8")
    start = text.index("  children:")
    end = re.compile(r"\n  (?! )").search(text, start + 1).start()  # the next field of the safety block
    drug.write_text(text[:start] + '  children: {en: "No source given here", fr: "Aucune source ici [@bienvenu-2014]"}'
                    + text[end:], encoding="utf-8")
    assert any(error.startswith(f"treatments/{drug.name}:{number}: safety.children: the en text cites no reference")
               for error in errors_of(content_copy))


def test_unknown_interaction_treatment_is_a_located_error(content_copy):
    drug = a_drug_with_safety(content_copy)
    complete_safety(content_copy)
    text = drug.read_text(encoding="utf-8")
    text = text.replace("  interactions:\n", "  interactions:\n    - treatment: no-such-treatment\n"
                        f"      mechanism: {PLACEHOLDER}\n      action: {PLACEHOLDER}\n", 1)
    drug.write_text(text, encoding="utf-8")
    line = text.splitlines().index("    - treatment: no-such-treatment") + 1
    assert any(error.startswith(f"treatments/{drug.name}:{line}: safety.interactions.0.treatment: unknown treatment id "
                                "'no-such-treatment'") for error in errors_of(content_copy))


def test_an_empty_list_of_interactions_is_a_missing_field(content_copy):
    drug = content_copy / "treatments" / "colchicine.yml"
    text = drug.read_text(encoding="utf-8")
    start = text.index("  interactions:\n")
    end = re.compile(r"\n  (?! )|\Z").search(text, start + 1).start()
    drug.write_text(text[:start] + "  interactions: []" + text[end:], encoding="utf-8")
    line = drug.read_text(encoding="utf-8").splitlines().index("  interactions: []") + 1
    assert any(error.startswith(f"treatments/colchicine.yml:{line}: safety.interactions: missing: a treatment of kind "
                                "drug must state the interactions") for error in errors_of(content_copy))


def test_an_interaction_between_two_treatments_written_twice_names_the_first_place(content_copy):
    # bisphosphonates.yml records its interaction with aluminium hydroxide; writing it again in the other file
    # would show it twice, perhaps with two different actions.
    aluminium = content_copy / "treatments" / "aluminium-hydroxide.yml"
    text = aluminium.read_text(encoding="utf-8")
    text = text.replace("  interactions:\n", "  interactions:\n    - treatment: bisphosphonates\n"
                        f"      mechanism: {PLACEHOLDER}\n      action: {PLACEHOLDER}\n", 1)
    aluminium.write_text(text, encoding="utf-8")
    line = text.splitlines().index("    - treatment: bisphosphonates") + 1
    first = (content_copy / "treatments" / "bisphosphonates.yml").read_text(encoding="utf-8").splitlines().index(
        "    - treatment: aluminium-hydroxide") + 1
    expected = (f"treatments/bisphosphonates.yml:{first}: safety.interactions.0.treatment: the interaction "
                f"bisphosphonates–aluminium-hydroxide is already written at treatments/aluminium-hydroxide.yml:{line}")
    expected_other_way = (f"treatments/aluminium-hydroxide.yml:{line}: safety.interactions.0.treatment: the interaction "
                          f"aluminium-hydroxide–bisphosphonates is already written at treatments/bisphosphonates.yml:{first}")
    errors = errors_of(content_copy)
    assert any(error.startswith((expected, expected_other_way)) for error in errors), errors


def test_label_reference_without_holder_is_refused(content_copy):
    path = content_copy / "references.yml"
    path.write_text(path.read_text(encoding="utf-8") + (
        "  - id: a-label-without-holder\n    kind: label\n    language: en\n    title: A drug label\n    version: {dates: {revised: 2024}}\n"
        "    year: 2024\n    url: https://dailymed.nlm.nih.gov/\n    checked: 2026-11-29\n"), encoding="utf-8")
    assert any("references.yml:" in error and "kind label needs holder" in error for error in errors_of(content_copy))


def shared_box_pair(guide):
    """The first algorithm box listing two drugs with no interaction recorded between them yet."""
    for node in guide.algorithm.nodes:
        drugs = [t for t in node.treatments if guide.treatment(t).kind == "drug" and guide.treatment(t).safety]
        for first, second in itertools.combinations(drugs, 2):
            if not guide.interactions_among([first, second]):
                return node, first, second
    pytest.skip("no algorithm box lists two drugs without an interaction between them")


def box_html(text: str, node_id: str) -> str:
    """The part of a page (Markdown with HTML, or HTML) that draws one box of the chart."""
    start = text.index(f'id="step-{node_id}"')
    following = text.find('id="step-', start + 1)
    return text[start: following if following != -1 else len(text)]


def test_interaction_between_two_treatments_of_a_box_shows_on_both_pages_in_the_box_and_both_handouts(
        content_copy, tmp_path):
    complete_safety(content_copy)
    guide = load_guide(content_copy)
    node, first, second = shared_box_pair(guide)
    marker = "Interaction marker zebrafinch"  # no figures: typography would group them
    path = content_copy / "treatments" / f"{first}.yml"
    text = path.read_text(encoding="utf-8").replace("  interactions:\n", (
        f"  interactions:\n    - treatment: {second}\n"
        f'      mechanism: {{en: "{marker}: mechanism [@bienvenu-2014]", fr: "{marker} : mécanisme [@bienvenu-2014]"}}\n'
        f'      action: {{en: "{marker}: action [@bienvenu-2014]", fr: "{marker} : conduite [@bienvenu-2014]"}}\n'), 1)
    path.write_text(text, encoding="utf-8")
    guide = load_guide(content_copy)  # written once, in the first treatment's file only
    assert marker not in (content_copy / "treatments" / f"{second}.yml").read_text(encoding="utf-8")

    catalogue = load_catalogue(PROJECT / "templates")
    rendered = render(guide, catalogue, PROJECT, tmp_path / "docs")
    handouts = HandoutRenderer(guide, catalogue, PROJECT / "templates")
    for lang in LANGS:
        pages = {page.kind if page.kind != "treatment" else page.context["treatment"].id: page
                 for page in rendered[lang].pages}
        for owner, other in ((first, second), (second, first)):
            page = rendered[lang].page_markdown(pages[owner])
            section = page[page.index("{ #interactions }"):]
            assert marker in section
            assert f"({pages[other].paths[lang].split('/')[-1]}#interactions)" in section  # links to the other page
        chart = rendered[lang].page_markdown(pages["algorithm"])
        assert marker in box_html(chart, node.id)
        # After the box's "A + B :", French goes on in lower case ("interaction marker…").
        assert marker.lower() in box_html(handouts.html(lang, PROJECT), node.id).lower()


def test_safety_at_a_glance_lists_every_systemic_drug_and_only_them(content_copy, tmp_path):
    complete_safety(content_copy)
    guide = load_guide(content_copy)
    rendered = render(guide, load_catalogue(PROJECT / "templates"), PROJECT, tmp_path)
    for lang in LANGS:
        page = next(p for p in rendered[lang].pages if p.kind == "safety")
        table = rendered[lang].page_markdown(page)
        rows = [re.sub(r"<[^>]+>", "", name)  # a name may hold an abbreviation of the glossary
                for name in re.findall(r'<th scope="row" markdown="span">\[([^\]]+)\]', table)]
        names = [t.name[lang].replace("'", "’" if lang == "fr" else "'") for t in guide.treatments if t.kind == "drug"]
        assert sorted(rows) == sorted(names)  # French names with the typographic apostrophe


@pytest.mark.browser
def test_every_box_interaction_is_printed_in_both_handout_pdfs(built):
    from pypdf import PdfReader

    guide = load_guide(PROJECT / "content")
    for lang in LANGS:
        text = " ".join("".join(page.extract_text() or "" for page in
                                PdfReader(built.dist_dir / f"handout-{lang}.pdf").pages).split())
        for node in guide.algorithm.nodes:
            for shown in guide.interactions_among(node.treatments):
                words = re.sub(r"\s*\[@[^\]]+\]", "", shown.interaction.action[lang])
                # After the box's "A + B :" French goes on in lower case.
                assert " ".join(words.split())[:40].lower().replace("'", "’") in text.lower().replace("'", "’")
