"""Status apart from evidence, and an algorithm that says no more than the evidence (issue 11): every treatment
has a status shown before its evidence, no badge makes a treatment the guide no longer recommends look stronger,
a patient count is a count of patients, every answer in the chart names its step, and a treatment the guide no
longer recommends is never a step. Fast: content checks and rendered Markdown, no MkDocs, no browser."""
from __future__ import annotations

import functools
import re
import typing

import pytest

from calcguide.content import LANGS, PageKind, Status, load_guide
from calcguide.render import load_catalogue, plan_pages, render
from conftest import PROJECT, errors_of, replace_in

STYLESHEETS = PROJECT / "docs" / "assets" / "stylesheets"


@pytest.fixture(scope="module")
def rendered(guide, tmp_path_factory):
    """The Markdown of both languages, rendered once."""
    out = tmp_path_factory.mktemp("markdown")
    return render(guide, load_catalogue(PROJECT / "templates"), PROJECT, out)


@functools.cache
def planned_pages() -> tuple:
    return tuple(plan_pages(load_guide(PROJECT / "content"), load_catalogue(PROJECT / "templates")))


def page_text(rendered, kind: str, lang: str, treatment_id: str | None = None) -> str:
    for page in planned_pages():
        if page.kind == kind and (treatment_id is None or page.context["treatment"].id == treatment_id):
            return rendered[lang].page_markdown(page)
    raise LookupError(kind)


def step_names(algorithm) -> dict[str, str]:
    """The step number the chart shows for each box: its row, and a letter when the row has several boxes."""
    return {node.id: f"{number}{'abcdefghij'[position] if len(row) > 1 else ''}"
            for number, row in enumerate(algorithm.rows(), start=1) for position, node in enumerate(row)}


# --- status and patient counts in content ----------------------------------------------------------------------


def test_treatment_without_status_is_rejected_with_its_line(content_copy):
    path = content_copy / "treatments" / "minocycline.yml"
    replace_in(path, "status: review-tier\n", "")
    errors = errors_of(content_copy)
    assert len(errors) == 1
    assert re.match(r"treatments/minocycline\.yml:\d+: status: ", errors[0]), errors[0]


def test_status_sits_right_after_placement_in_every_treatment_file():
    for path in sorted((PROJECT / "content" / "treatments").glob("*.yml")):
        lines = path.read_text(encoding="utf-8").splitlines()
        placement = next(number for number, line in enumerate(lines) if line.startswith("placement:"))
        assert lines[placement + 1].startswith("status: "), path.name


def test_patient_count_that_counts_studies_is_rejected(content_copy):
    path = content_copy / "treatments" / "minocycline.yml"
    replace_in(path, "  patients: 9\n", '  patients: "1 RCT/ECR + 4"\n')
    errors = errors_of(content_copy)
    assert len(errors) == 1
    assert re.match(r"treatments/minocycline\.yml:\d+: evidence\.patients: ", errors[0]), errors[0]
    assert "number of treated patients" in errors[0]


@pytest.mark.parametrize("written, smallest, largest", [("9", 9, 9), ("4–17", 4, 17), ("4-17", 4, 17),
                                                         ("unknown", None, None)])
def test_patient_count_is_one_number_a_range_or_unknown(content_copy, written, smallest, largest):
    replace_in(content_copy / "treatments" / "minocycline.yml", "  patients: 9\n", f'  patients: "{written}"\n')
    patients = load_guide(content_copy).treatment("minocycline").evidence.patients
    assert (patients.smallest, patients.largest) == (smallest, largest)


def test_range_that_runs_backwards_is_rejected(content_copy):
    replace_in(content_copy / "treatments" / "minocycline.yml", "  patients: 9\n", '  patients: "17–4"\n')
    assert any("evidence.patients" in error for error in errors_of(content_copy))


def test_status_in_the_review_tiers_needs_the_review_placement(content_copy):
    replace_in(content_copy / "treatments" / "rituximab.yml", "status: other-option", "status: review-tier")
    errors = errors_of(content_copy)
    assert len(errors) == 1
    assert re.match(r"treatments/rituximab\.yml:\d+: status: ", errors[0]), errors[0]


def test_every_status_has_its_words_in_both_languages():
    catalogue = load_catalogue(PROJECT / "templates")
    assert set(catalogue.statuses) == set(typing.get_args(Status))


# --- status before evidence, and no badge that reads as advice --------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_status_comes_before_evidence_on_every_treatment_page(guide, rendered, lang):
    for treatment in guide.treatments:
        text = page_text(rendered, "treatment", lang, treatment.id)
        badges = text[text.index('<p class="cg-badges"'):text.index("</p>", text.index('<p class="cg-badges"'))]
        status = badges.index(f"cg-status--{treatment.status}")
        assert status < badges.index("cg-badge--evidence"), treatment.id


@pytest.mark.parametrize("lang", LANGS)
def test_tier_tables_put_status_before_evidence_in_every_row(guide, rendered, lang):
    text = page_text(rendered, "treatments", lang)
    rows = [line for line in text.splitlines() if line.startswith("| [**")]
    assert len(rows) == sum(len(treatment.tiers) for treatment in guide.treatments)
    for row in rows:
        assert row.index("cg-badge--status") < row.index("cg-badge--evidence"), row


def rules_mentioning(fragment: str) -> list[str]:
    rules = []
    for sheet in STYLESHEETS.glob("*.css"):
        css = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.S)
        rules += [rule for rule in re.findall(r"[^{}]+\{[^{}]*\}", css) if fragment in rule.split("{")[0]]
    return rules


def test_evidence_badges_look_alike_whatever_the_design():
    """A colour or weight per design read as advice: warfarin's single small (negative) trial wore the
    strongest-looking badge. No stylesheet may style one design differently from another."""
    assert rules_mentioning(".cg-evidence--") == []
    assert rules_mentioning(".cg-badge--evidence")


def test_status_badges_differ_by_border_so_they_read_in_black_and_white():
    styles = {}
    for status in typing.get_args(Status):
        # The rule that draws its border (dark.css only recolours it).
        (rule,) = [rule for rule in rules_mentioning(f".cg-status--{status}") if "border-style" in rule]
        styles[status] = re.search(r"border-style:\s*(\w+)", rule).group(1)
    assert len(set(styles.values())) == len(styles), styles


@pytest.mark.parametrize("lang", LANGS)
def test_no_longer_recommended_treatment_never_wears_a_badge_a_recommended_one_lacks(guide, rendered, lang):
    """Its page shows the same evidence badge classes as any other page (no design styled stronger), and its
    status badge is the no-longer-recommended one, first."""
    def badge_classes(treatment_id: str) -> list[str]:
        text = page_text(rendered, "treatment", lang, treatment_id)
        badges = text[text.index('<p class="cg-badges"'):text.index("</p>", text.index('<p class="cg-badges"'))]
        return re.findall(r'class="([^"]+)"', badges)[1:]  # the first is the paragraph's own

    stopped = [treatment for treatment in guide.treatments if treatment.status == "no-longer-recommended"]
    recommended = [treatment for treatment in guide.treatments if treatment.status == "review-tier"]
    assert stopped and recommended
    for treatment in stopped:
        classes = badge_classes(treatment.id)
        assert "cg-status--no-longer-recommended" in classes[0]
        others = {cls for other in recommended for cls in " ".join(badge_classes(other.id)).split()}
        extra = set(" ".join(classes[1:]).split()) - others
        assert all(cls.startswith("cg-evidence--") for cls in extra), extra


# --- the algorithm -------------------------------------------------------------------------------------------


def test_no_longer_recommended_treatment_cannot_be_a_step(content_copy):
    path = content_copy / "algorithm.yml"
    replace_in(path, "    treatments: [minocycline]\n", "    treatments: [minocycline, warfarin]\n")
    errors = errors_of(content_copy)
    assert len(errors) == 1
    assert re.match(r"algorithm\.yml:\d+: nodes\.\d+\.treatments\.1: 'warfarin' has status no-longer-recommended",
                    errors[0]), errors[0]


def test_decision_path_holds_no_treatment_the_guide_no_longer_recommends(guide, rendered):
    stopped = {treatment.id for treatment in guide.treatments if treatment.status == "no-longer-recommended"}
    assert stopped
    assert not stopped & {treatment for node in guide.algorithm.nodes for treatment in node.treatments}
    for lang in LANGS:
        chart = page_text(rendered, "algorithm", lang)
        for item in re.findall(r'<ul class="cg-flow__treatments".*?</ul>', chart, flags=re.S):
            assert not any(f"/{guide.treatment(treatment_id).slug[lang]}.md)" in item for treatment_id in stopped), item


def test_set_aside_treatment_must_be_no_longer_recommended(content_copy):
    replace_in(content_copy / "algorithm.yml", "      treatments: [warfarin]\n", "      treatments: [minocycline]\n")
    errors = errors_of(content_copy)
    assert len(errors) == 1 and "no_longer_recommended.treatments.0" in errors[0], errors


@pytest.mark.parametrize("lang", LANGS)
def test_every_answer_on_an_arrow_names_the_step_it_leads_to(guide, rendered, lang):
    chart = page_text(rendered, "algorithm", lang)
    answers = re.findall(r'<span class="cg-flow__answer">(.*?)</span>', chart)
    step = step_names(guide.algorithm)
    expected = [f"{edge.label[lang]} → {step[edge.target]}" for edge in guide.algorithm.edges if edge.label]
    assert sorted(answers) == sorted(expected)  # so "Yes" alone, twice, can no longer happen


def test_arrow_out_of_a_question_without_an_answer_is_rejected(content_copy):
    path = content_copy / "algorithm.yml"
    replace_in(path, '  - {from: symptoms, to: watch, label: {en: "Yes", fr: Oui}}\n', "  - {from: symptoms, to: watch}\n")
    errors = errors_of(content_copy)
    assert len(errors) == 1
    assert re.match(r"algorithm\.yml:\d+: edges\.\d+: the arrow from the question 'symptoms' has no label", errors[0])


def test_box_link_to_a_page_that_is_not_linkable_names_the_pages_that_are(content_copy):
    replace_in(content_copy / "algorithm.yml", '    pages: [evaluation, "care#infection"]\n',
               '    pages: [evaluation, "care#infection", references]\n')
    errors = errors_of(content_copy)
    assert len(errors) == 1
    assert re.match(r"algorithm\.yml:\d+: nodes\.0\.pages\.2\.page: expected .*'response'", errors[0]), errors


def test_box_link_to_an_unknown_section_is_named(content_copy):
    path = content_copy / "algorithm.yml"
    replace_in(path, '"diseases#lupus"', '"diseases#lupuss"')
    errors = errors_of(content_copy)
    assert len(errors) == 1
    assert re.match(r"algorithm\.yml:\d+: nodes\.1\.pages\.1: unknown disease id 'lupuss'",
                    errors[0]), errors


def test_every_page_kind_a_box_may_link_to_is_a_page_of_the_site(guide):
    kinds = {page.kind for page in plan_pages(guide, load_catalogue(PROJECT / "templates"))}
    assert set(typing.get_args(PageKind)) <= kinds


@pytest.mark.parametrize("lang", LANGS)
def test_every_box_links_to_a_page(guide, rendered, lang):
    chart = page_text(rendered, "algorithm", lang)
    boxes = re.split(r'id="step-', chart)[1:]
    assert len(boxes) == len(guide.algorithm.nodes)
    for box in boxes:
        node_id = box.split('"', 1)[0]
        node = next(node for node in guide.algorithm.nodes if node.id == node_id)
        if node.kind != "question":
            assert re.search(r"\]\((?!#)[^)]+\.md[^)]*\)", box.split("cg-flow__next")[0]), node_id


@pytest.mark.parametrize("lang", LANGS)
def test_in_the_chart_each_treatment_shows_its_status_before_its_evidence(guide, rendered, lang):
    chart = page_text(rendered, "algorithm", lang)
    items = re.findall(r"<li markdown=\"span\">\[.*?</li>", chart, re.DOTALL)
    assert len(items) == sum(len(node.treatments) for node in guide.algorithm.nodes)
    for item in items:
        treatment = next(t for t in guide.treatments if f"/{t.slug[lang]}.md)" in item)
        evidence = item.index("cg-flow__evidence")
        if treatment.status != "review-tier":  # the legend says that an unmarked treatment is in the 2014 tiers
            assert item.index(f"cg-status--{treatment.status}") < evidence, item
        name = guide.evidence_level(treatment.evidence.level).name[lang].lower()
        assert name.replace("'", "’") in item[evidence:].replace("'", "’")  # French: the typographic apostrophe
