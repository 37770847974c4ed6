"""Editorial rules: no placeholder reaches a reader, references name their authors, and a treatment's tier agrees
with its placement badge. Each test breaks a copy of the real content in one place."""
from __future__ import annotations

from pathlib import Path

import pytest

from calcguide.content import load_guide
from conftest import PROJECT, errors_of, replace_in


def errors_in(content: Path, name: str) -> list[str]:
    """The errors reported for one file: each test breaks one file and looks at what is said about it."""
    return [error for error in errors_of(content) if error.startswith(f"{name}:")]


def line_of(path: Path, needle: str) -> int:
    return next(number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if needle in line)


def test_placeholder_in_a_text_is_rejected_with_file_line_and_field(content_copy):
    path = content_copy / "care.yml"
    replace_in(path, "Simple analgesics come first", "TODO: simple analgesics come first")
    errors = errors_in(content_copy, "care.yml")
    lines = path.read_text(encoding="utf-8").splitlines()
    todo = line_of(path, "TODO: simple")
    text_starts = max(number for number in range(1, todo + 1) if lines[number - 1].strip().startswith("en:"))
    assert errors == [f"care.yml:{text_starts}: sections.3.body.en: placeholder 'TODO' (a to-do marker) would "
                      "reach readers; write the verified fact, or leave the statement (or the reference) out until "
                      "it is verified"]


def test_not_verified_note_in_french_is_rejected(content_copy):
    path = content_copy / "glossary.yml"
    replace_in(path, "term: {en: calciphylaxis, fr: calciphylaxie}",
               "term: {en: calciphylaxis, fr: calciphylaxie (non vérifié)}")
    errors = errors_in(content_copy, "glossary.yml")
    assert len(errors) == 1
    assert errors[0].startswith(f"glossary.yml:{line_of(path, 'non vérifié')}:") and "term.fr" in errors[0]


def test_example_org_link_is_rejected(content_copy):
    path = content_copy / "treatments" / "colchicine.yml"
    text = path.read_text(encoding="utf-8")
    start = text.index("mechanism:")
    english = text.index("en:", start)
    path.write_text(text[:english + 3] + " See [the label](https://example.org/label)." + text[english + 3:],
                    encoding="utf-8")
    errors = errors_in(content_copy, "treatments/colchicine.yml")
    assert len(errors) == 1
    assert errors[0].startswith("treatments/colchicine.yml:") and "mechanism.en: placeholder 'example.org'" in errors[0]


def test_reference_with_placeholder_authors_is_rejected(content_copy):
    path = content_copy / "references.yml"
    replace_in(path, "authors: Balin SJ, Wetter DA, Andersen LK, Davis MDP", 'authors: "[Author list not verified]"')
    errors = errors_in(content_copy, "references.yml")
    line = line_of(path, "[Author list not verified]")
    assert errors and all(error.startswith(f"references.yml:{line}: references.2.authors:") for error in errors)
    assert any("placeholder" in error for error in errors)


def test_reference_without_authors_is_rejected_with_its_line(content_copy):
    path = content_copy / "references.yml"
    replace_in(path, "    authors: Balin SJ, Wetter DA, Andersen LK, Davis MDP\n", "")
    errors = errors_in(content_copy, "references.yml")
    assert len(errors) == 1
    assert errors[0].startswith(f"references.yml:{line_of(path, 'id: balin-2012')}:") and "authors" in errors[0]


def test_reference_naming_only_a_group_is_rejected(content_copy):
    path = content_copy / "references.yml"
    replace_in(path, "authors: Balin SJ, Wetter DA, Andersen LK, Davis MDP",
               "authors: Mayo Clinic calcinosis investigators")
    errors = errors_in(content_copy, "references.yml")
    assert errors == [f"references.yml:{line_of(path, 'calcinosis investigators')}: references.2.authors: "
                      "reference 'balin-2012' does not name its authors; write them as Surname Initials "
                      "(e.g. Surname AB, Other CD), as shown in the record you checked. A group alone "
                      "('… investigators') is not an author list; if no record shows the authors, leave the "
                      "reference out"]


def test_later_evidence_treatment_in_a_tier_citing_the_2014_review_is_rejected(content_copy):
    path = content_copy / "treatments" / "rituximab.yml"
    replace_in(path, "tiers: [refractory]", "tiers: [disseminated]")
    errors = errors_in(content_copy, "treatments/rituximab.yml")
    assert len(errors) == 1
    assert errors[0].startswith(f"treatments/rituximab.yml:{line_of(path, 'tiers:')}: tiers.0: tier 'disseminated' "
                                "cites the 2014 review")
    assert "'later-evidence'" in errors[0]


def test_review_treatment_in_a_tier_that_does_not_cite_the_review_is_rejected(content_copy):
    path = content_copy / "treatments" / "colchicine.yml"
    replace_in(path, "tiers: [first-line]", "tiers: [first-line, refractory]")
    errors = errors_in(content_copy, "treatments/colchicine.yml")
    assert len(errors) == 1
    assert errors[0].startswith(f"treatments/colchicine.yml:{line_of(path, 'tiers:')}: tiers.1: tier 'refractory' "
                                "does not cite the 2014 review")


def test_chart_box_listing_a_treatment_of_another_tier_is_rejected(content_copy):
    path = content_copy / "algorithm.yml"
    replace_in(path, "treatments: [diltiazem, colchicine]", "treatments: [diltiazem, colchicine, rituximab]")
    errors = errors_in(content_copy, "algorithm.yml")
    box = next(number for number, node in enumerate(load_guide(PROJECT / "content").algorithm.nodes)
               if node.treatments == ["diltiazem", "colchicine"])
    assert errors == [f"algorithm.yml:{line_of(path, 'colchicine, rituximab')}: nodes.{box}.treatments.2: treatment "
                      "'rituximab' is drawn in the box of tier 'first-line', but its file puts it in 'refractory'; "
                      "move it to the box of its tier"]


@pytest.mark.parametrize(("text", "label"), [
    ("Dose not verified yet", "unverified"), ("Posologie à vérifier", "unverified"), ("1 g (verify)", "unverified"),
    ("See https://example.org/x", "example address"), ("Lorem ipsum", "filler text"), ("TODO: dose", "to-do"),
    ("a placeholder here", "a placeholder"), ("Given […] daily", "elision"), ("Given ??? daily", "elision"),
])
def test_every_kind_of_placeholder_is_found_and_named(text, label):
    from calcguide.content.editorial import placeholder_in

    assert label in (placeholder_in(text) or "")


def test_a_text_without_placeholder_passes():
    from calcguide.content.editorial import placeholder_in

    assert placeholder_in("Colchicine 1 mg a day, reported in case series [@fuchs1986].") is None
