"""Issue 30, "Done when": an editor's three tasks of the README (a new treatment page with its full safety block, a
changed dose with a new version, a new algorithm box) reach a clean `check` in at most two rounds when the only
mistakes are genuine content mistakes: the first round names every one with what to write, the second is clean.
Each task is done as an editor does it, on a copy of content/, with the mistakes editors make."""
from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from conftest import replace_in, run_build


def check(content: Path) -> list[str]:
    """The located messages of `build.py check` (warnings left out), after checking it exits as they say."""
    result = run_build("check", "--content", str(content))
    messages = [line for line in result.stderr.splitlines() if re.match(r"^\S+\.yml:\d+:\d+: ", line)]
    assert "Traceback" not in result.stderr and ".py:" not in "\n".join(messages)
    assert (result.returncode == 0) == (not messages), result.stderr
    return messages


def both(text: dict) -> str:
    """A text of both languages on one line, as the scaffold writes it: `{en: "…", fr: "…"}`."""
    flat = {lang: " ".join(text[lang].split()) for lang in ("en", "fr")}
    return f'{{en: {json.dumps(flat["en"], ensure_ascii=False)}, fr: {json.dumps(flat["fr"], ensure_ascii=False)}}}'


def fill_scaffold(path: Path, texts: dict) -> None:
    """Every TODO of a new drug's file replaced by the texts of `texts` (a treatment's data), every empty value set."""
    text = path.read_text(encoding="utf-8")
    safety = texts["safety"]
    interaction = next(item for item in safety["interactions"] if "with" in item)
    fields = {
        "": {key: texts[key] for key in ("name", "drug_class", "summary", "mechanism", "regimen", "response",
                                         "cautions")},
        "  ": {"summary": texts["evidence"]["summary"],
               **{key: safety[key] for key in ("contraindications", "pregnancy", "breastfeeding", "kidney", "liver",
                                               "children", "monitoring")}},
        "    ": safety["short"],
        "    - ": {"with": interaction["with"]},
        "      ": {"mechanism": interaction["mechanism"], "action": interaction["action"]},
    }
    for indent, values in fields.items():
        for key, value in values.items():
            text = re.sub(rf'^{re.escape(indent)}{key}: {{en: "TODO.*$', lambda _: f"{indent}{key}: {both(value)}", text,
                          count=1, flags=re.M)
    for empty, value in {'  fr: ""': "  fr: bicarbonate-de-sodium",  # the French slug, the scaffold's first empty
                         'last_reviewed: ""': "last_reviewed: 2026-12-04", "tiers: []": "tiers: [first-line]",
                         'placement: ""': "placement: review-2014", 'status: ""': "status: review-tier",
                         "indications: []": "indications: [localized]", 'level: ""': "level: case-series",
                         'patients: ""': 'patients: "4–17"',
                         "references: []": f"references: [{', '.join(texts['references'])}]",
                         "search_terms: {en: [], fr: []}": "search_terms: {en: [bicarbonate], fr: [bicarbonate]}"}.items():
        text = text.replace(empty, value, 1)
    assert '"TODO' not in text
    path.write_text(text, encoding="utf-8")


def test_a_new_treatment_page_with_its_safety_block_is_clean_in_two_rounds(content_copy):
    assert run_build("new", "treatment", "sodium-bicarbonate", "--content", str(content_copy)).returncode == 0
    path = content_copy / "treatments" / "sodium-bicarbonate.yml"
    # Test data only: the texts of a treatment of the guide, with their citations (never published).
    fill_scaffold(path, yaml.safe_load((content_copy / "treatments" / "diltiazem.yml").read_text(encoding="utf-8")))
    # The editor's mistakes: a French text typed without quotes (' : '), a quote not closed, a placement misspelt,
    # a citation mistyped; and the patient text the leaflet needs, not written.
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"^drug_class: .*$", "drug_class:\n  en: Calcium channel blocker\n  fr: Inhibiteur calcique : "
                  "benzothiazépine", text, count=1, flags=re.M)
    text = re.sub(r"^name: .*$", 'name: {en: "Sodium bicarbonate, fr: Bicarbonate de sodium}', text, count=1,
                  flags=re.M)
    path.write_text(text.replace("placement: review-2014", "placement: review", 1)
                    .replace("[@palmieri-1995]", "[@palmieri-1959]", 1), encoding="utf-8")

    first_round = check(content_copy)
    assert len(first_round) == 5, "\n".join(first_round)
    for expected in ("name: a quote opened here is not closed", "drug_class › fr: YAML syntax error: a text contains "
                     "': '", "placement: expected 'review-2014'", "unknown reference id 'palmieri-1959'",
                     "patient: missing"):
        assert any(expected in message for message in first_round), expected

    # The second round does what each message says.
    replace_in(path, '{en: "Sodium bicarbonate, fr:', '{en: "Sodium bicarbonate", fr:')
    replace_in(path, "fr: Inhibiteur calcique : benzothiazépine", 'fr: "Inhibiteur calcique : benzothiazépine"')
    replace_in(path, "placement: review ", "placement: review-2014 ")
    replace_in(path, "[@palmieri-1959]", "[@palmieri-1995]")
    patient = yaml.safe_load((content_copy / "treatments" / "diltiazem.yml").read_text(encoding="utf-8"))["patient"]
    replace_in(path, "\nsafety:\n", f"\npatient: {both(patient)}\nsafety:\n")
    assert check(content_copy) == []


def test_a_changed_dose_with_a_new_version_is_clean_in_two_rounds(content_copy):
    diltiazem = content_copy / "treatments" / "diltiazem.yml"
    replace_in(diltiazem, "**240 to 480 mg a day by mouth**", "**240 to 360 mg a day by mouth**")  # French forgotten
    replace_in(diltiazem, "last_reviewed: 2026-12-04", "last_reviewed: 2026-12-05")
    replace_in(content_copy / "site.yml", 'version: "0.1.0"', "version: 0.2.0")
    changes = content_copy / "changes.yml"
    replace_in(changes, "changes:\n", (
        "changes:\n  - version: \"0.2.0\"\n    date: 2026-12-05\n    summary:\n"
        "      en: Diltiazem: the usual dose range is stated as in the first series.\n"
        "      fr: Diltiazem : la posologie habituelle est donnée comme dans la première série.\n"
        "    pages: [diltiazam]\n"))

    first_round = check(content_copy)
    assert len(first_round) == 4, "\n".join(first_round)
    assert sum("the first change › summary ›" in message and "put the whole text in quotes" in message
               for message in first_round) == 2
    assert any("the first change › the first page: unknown page id 'diltiazam'; did you mean 'diltiazem'?" in message
               for message in first_round)
    assert any("regimen: the French text says 480 mg/day where the English says 360 mg/day" in message
               for message in first_round)

    replace_in(diltiazem, "**240 à 480 mg par jour per os**", "**240 à 360 mg par jour per os**")
    replace_in(changes, "en: Diltiazem: the usual dose range is stated as in the first series.",
               'en: "Diltiazem: the usual dose range is stated as in the first series."')
    replace_in(changes, "fr: Diltiazem : la posologie habituelle est donnée comme dans la première série.",
               'fr: "Diltiazem : la posologie habituelle est donnée comme dans la première série."')
    replace_in(changes, "[diltiazam]", "[diltiazem]")
    assert check(content_copy) == []


def test_a_new_algorithm_box_is_clean_in_two_rounds(content_copy):
    algorithm = content_copy / "algorithm.yml"
    replace_in(algorithm, "edges:\n", (
        "  - id: ulcers\n    kind: action\n    label: {en: \"Ulcer, pain or infection: supportive care\"}\n"
        "    treatments: [surgical-excison]\n    pages: [\"care#infections\"]\nedges:\n"))
    replace_in(algorithm, "key_references:", "  - {from: surgery, to: ulcers}\n  - {from: start, to: ulcers}\n"
               "key_references:")

    first_round = check(content_copy)
    assert len(first_round) == 4, "\n".join(first_round)
    for expected in ("label › fr: this field is required", "did you mean 'surgical-excision'?",
                     "unknown care section id 'infections'; did you mean 'infection'", "would cross a row"):
        assert any(expected in message for message in first_round), expected

    replace_in(algorithm, 'supportive care"}', 'supportive care", fr: "Ulcère, douleur ou infection : soins de support"}')
    replace_in(algorithm, "[surgical-excison]", "[surgical-excision]")
    replace_in(algorithm, '"care#infections"', '"care#infection"')
    replace_in(algorithm, "  - {from: start, to: ulcers}\n", "")
    assert check(content_copy) == []
