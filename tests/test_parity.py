"""Number parity (calcguide/content/parity.py): a French text and its English twin state the same numbers, however
each language writes them, and a number changed in one language is a located error of `build.py check`."""
from __future__ import annotations

import pytest

from calcguide.content.parity import difference
from conftest import errors_of, replace_in, run_build

# Written differently, saying the same: each pair is checked both ways (English → French as written, and with the
# French text given as the "English" one, so that no rule works in one direction only).
SAME = [
    ("240 to 480 mg a day by mouth [@balin-2012].", "240 à 480 mg par jour per os [@balin-2012]."),
    ("240 to 480 mg a day", "240–480 mg/j"),
    ("0.5 mg twice a day", "0,5 mg deux fois par jour"),
    ("among 5,218 patients", "chez 5 218 patients"),
    ("among 5,218 patients", "chez 5\u202f218 patients"),
    ("among 5,218 patients", "chez 5\u00a0218 patients"),
    ("among 5218 patients", "chez 5 218 patients"),
    ("20 to 40% of patients", "20 à 40 % des patients"),
    ("1 mg/kg/day", "1 mg/kg/j"),
    ("0.5 mg daily", "0,5 mg par jour"),
    ("240 to 480 mg a day", "240 à 480 mg (dose quotidienne totale)"),  # how often, said once: left to the sentence
    ("25 g three times a week", "25 g trois fois par semaine"),
    ("two of five patients", "deux patients sur cinq"),
    ("2 of 5 patients", "deux patients sur cinq"),
    ("in 9 of 17 patients", "chez 9 patients sur 17"),
    ("a five-fold rise", "multipliée par cinq"),
    ("two- to fourfold", "multipliées par deux à quatre"),
    ("Both can lower blood calcium.", "Les deux peuvent abaisser la calcémie."),
    ("above all after 75", "surtout après 75 ans"),
    ("within the first 12 weeks", "dans les 12 premières semaines"),
    ("a baby under 1 month", "un nourrisson de moins d'un mois"),
    ("on alternate days", "un jour sur deux"),
    ("through CYP3A4 [@smith-2014], see [the label](https://x.eu/2/3)", "par le CYP3A4 [@smith-2014]"),
    ("level IV evidence, in 2014", "niveau de preuve IV, en 2014"),
    ("on level IV evidence", "sur un niveau de preuve IV"),
    ("anti-RNA polymerase III antibodies, given IV", "anticorps anti-ARN polymérase III, par voie intraveineuse"),
    # Citations and addresses are not the text's numbers, even when each language cites differently.
    ("9 of 17 patients [@balin-2012] [@traineau-2020]", "9 patients sur 17 [@balin-2012]"),
]


@pytest.mark.parametrize("english, french", SAME)
def test_the_same_numbers_written_each_languages_way_agree(english, french):
    assert difference(english, french) is None


@pytest.mark.parametrize("english, french", [
    ("2 patients", "deux patients"), ("two patients", "2 patients"), ("1.5 g", "1,5 g"), ("1,500 mg", "1 500 mg"),
])
def test_normalisation_works_from_either_side(english, french):
    assert difference(english, french) is None


# A slip in one language, and what the check says about it (written out: never read from the code under test).
SLIPS = [
    # a digit added, one dropped
    ("240 to 480 mg a day", "2400 à 480 mg par jour", "the French text says 2400 mg/day where the English says 240 mg/day"),
    ("240 to 480 mg a day", "240 à 48 mg par jour", "the French text says 48 mg/day where the English says 480 mg/day"),
    ("20 to 40% of patients", "2 à 40 % des patients", "the French text says 2% where the English says 20%"),
    ("0.5 mg a day", "5 mg par jour", "the French text says 5 mg/day where the English says 0.5 mg/day"),
    ("0.5 mg a day", "0,05 mg par jour", "the French text says 0.05 mg/day where the English says 0.5 mg/day"),
    ("among 5,218 patients", "chez 521 patients", "the French text says 521 where the English says 5218"),
    # a unit changed
    ("1 g by infusion", "1 mg en perfusion", "the French text says 1 mg where the English says 1 g"),
    ("3 mg a day", "3 g par jour", "the French text says 3 g/day where the English says 3 mg/day"),
    ("0.5 mg/kg/day", "0,5 mg par jour", "the French text says 0.5 mg/day where the English says 0.5 mg/kg/day"),
    ("10 mg a day", "10 mg/kg/j", "the French text says 10 mg/kg/day where the English says 10 mg/day"),
    # how often a dose is given
    ("240 mg a day", "240 mg par semaine", "the French text says 240 mg/week where the English says 240 mg/day"),
    ("10 mg weekly", "10 mg par jour", "the French text says 10 mg/day where the English says 10 mg/week"),
    ("for 12 months", "pendant 12 ans", "the French text says 12 years where the English says 12 months"),
    ("within the first 12 months", "dans les 12 premières semaines",
     "the French text says 12 weeks where the English says 12 months"),
    # A duration may be left to the sentence ("after 75" is « après 75 ans »), a unit of measure never.
    ("give 3 mg", "donner 3", "the French text says 3 where the English says 3 mg"),
    ("up to 40%", "jusqu'à 40", "the French text says 40 where the English says 40%"),
    ("on level IV evidence", "sur un niveau de preuve III", "the French text says 3 where the English says 4"),
    # a spelled-out number changed, a number left out
    ("two of five patients", "deux patients sur six", "the French text says 6 where the English says 5"),
    ("9 of 17 patients", "9 patients", "the English text says 17 where the French has no such number"),
    ("9 patients", "9 patients sur 17", "the French text says 17 where the English has no such number"),
]


@pytest.mark.parametrize("english, french, message", SLIPS)
def test_a_slip_in_the_french_text_is_named_with_both_numbers(english, french, message):
    assert difference(english, french) == message


@pytest.mark.parametrize("english, french, message", [
    ("240 to 4800 mg a day", "240 à 480 mg par jour", "the French text says 480 mg/day where the English says 4800 mg/day"),
    ("24 to 480 mg a day", "240 à 480 mg par jour", "the French text says 240 mg/day where the English says 24 mg/day"),
    ("1 mg/kg", "1 mg/kg", None),
    ("1 mg", "1 mg/kg", "the French text says 1 mg/kg where the English says 1 mg"),
    ("5,218 patients", "52 180 patients", "the French text says 52180 where the English says 5218"),
    ("20 to 40 %", "20 à 40 %", None),
    ("20 to 4 %", "20 à 40 %", "the French text says 40% where the English says 4%"),
])
def test_a_slip_in_the_english_text_is_named_too(english, french, message):
    assert difference(english, french) == message


REGIMEN_FR = "**240 à 480 mg par jour per os**"


def line_of(path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                if text in line)


@pytest.mark.parametrize("slip, message", [
    ("**2400 à 480 mg par jour per os**", "the French text says 2400 mg/day where the English says 240 mg/day"),
    ("**240 à 48 mg par jour per os**", "the French text says 48 mg/day where the English says 480 mg/day"),
    # A range's unit is both ends' unit.
    ("**240 à 480 g par jour per os**", "the French text says 240 g/day where the English says 240 mg/day; the French "
                                        "text says 480 g/day where the English says 480 mg/day"),
])
def test_check_refuses_a_dose_changed_in_one_language_at_its_file_line_and_field(content_copy, slip, message):
    diltiazem = content_copy / "treatments" / "diltiazem.yml"
    replace_in(diltiazem, REGIMEN_FR, slip)
    expected = f"treatments/diltiazem.yml:{line_of(diltiazem, 'regimen:')}: regimen: {message}"
    assert any(error.startswith(expected) for error in errors_of(content_copy)), expected


def test_check_refuses_a_frequency_changed_in_french_and_exits_2(content_copy):
    diseases = content_copy / "diseases.yml"
    replace_in(diseases, "20 à 40 %", "2 à 40 %")
    result = run_build("check", "--content", str(content_copy))
    assert result.returncode == 2
    assert "diseases.yml:" in result.stderr
    assert "frequency: the French text says 2% where the English says 20%" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_text_that_says_why_its_numbers_differ_is_accepted_and_listed_by_the_build(content_copy):
    diltiazem = content_copy / "treatments" / "diltiazem.yml"
    replace_in(diltiazem, REGIMEN_FR + ", poursuivis", "**240 à 480 mg par jour per os** (AMM française : 300 mg), poursuivis")
    errors = errors_of(content_copy)
    assert any("regimen: the French text says 300 mg where the English has no such number" in e for e in errors)

    replace_in(diltiazem, "regimen:\n", "regimen:\n  numbers_differ: the French marketing authorisation only\n")
    result = run_build("check", "--content", str(content_copy))
    assert result.returncode == 0, result.stderr
    line = line_of(diltiazem, "regimen:")
    assert (f"numbers differ between the languages on purpose: treatments/diltiazem.yml:{line}: regimen: the French "
            "marketing authorisation only") in result.stderr


def test_a_declared_difference_where_the_numbers_agree_is_refused(content_copy):
    diltiazem = content_copy / "treatments" / "diltiazem.yml"
    replace_in(diltiazem, "regimen:\n", "regimen:\n  numbers_differ: a reason no longer true\n")
    expected = f"treatments/diltiazem.yml:{line_of(diltiazem, 'numbers_differ')}: regimen.numbers_differ: "
    errors = [error for error in errors_of(content_copy) if error.startswith(expected)]
    assert errors and "they agree; remove numbers_differ" in errors[0], errors_of(content_copy)


def test_interface_strings_state_the_same_numbers_in_both_languages(tmp_path):
    import shutil

    from calcguide.content import ContentErrors
    from calcguide.render import load_catalogue
    from conftest import PROJECT

    templates = tmp_path / "templates"
    shutil.copytree(PROJECT / "templates", templates)
    strings = templates / "strings.yml"
    text = strings.read_text(encoding="utf-8")
    load_catalogue(templates)  # the real strings agree
    lines = text.splitlines()
    at = next(number for number, line in enumerate(lines) if line.startswith("ui:"))
    lines.insert(at + 1, '  test_dose: {en: "Take 2 tablets", fr: "Prendre 3 comprimés"}')
    strings.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ContentErrors) as caught:
        load_catalogue(templates)
    assert [str(error) for error in caught.value.errors] == [
        f"templates/strings.yml:{at + 2}: ui.test_dose: the French text says 3 where the English says 2; make both "
        "languages state the same numbers, or, if they must differ, say why with numbers_differ: <reason>"]
