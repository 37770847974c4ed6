"""The engine and the guide apart (issue 27): the package (calcguide/) and the templates name no disease, drug or
author of the guide. The words are taken from content/ itself, so that a new treatment, disease or reference adds
its words to the test: treatment and disease ids and names (in both languages) and the words of their ids, brand
names, the surnames of every reference's authors, and the condition's own name."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import PROJECT
from calcguide.content import LANGS, load_guide

# The condition the guide is about, which no treatment or disease file names as an id.
CONDITION = ("calcinosis", "calcinoses", "calcinose", "calcinoses")
# Words of treatment and disease ids that name a route, a form, a procedure or an age, not a disease or a drug:
# the engine may use them (a "local" treatment, a "surgical" one, an "adult" page).
GENERIC = frozenset({"adult", "anti", "excision", "hydroxide", "inhibitors", "intralesional", "intravenous",
                     "juvenile", "laser", "lithotripsy", "overlap", "shock", "sodium", "surgical", "systemic",
                     "topical", "wave"})
SHORTEST = 4  # shorter surnames and id words ("Le", "Yu", "jak") are common letter groups; their full names count
ENGINE = ("calcguide", "templates")


def guide_words(content: Path) -> set[str]:
    guide = load_guide(content)
    words = set(CONDITION)
    for item in [*guide.treatments, *guide.diseases.diseases]:
        words.add(item.id)
        words.update(item.name[lang] for lang in LANGS)
        words.update(part for part in item.id.split("-") if len(part) > SHORTEST and part not in GENERIC)
    words.update(brand.name for treatment in guide.treatments for brand in treatment.brands)
    for reference in guide.references.references:
        for author in re.split(r"[,;]", reference.authors or ""):
            surname = " ".join(part for part in author.split() if not re.fullmatch(r"[A-Z]{1,4}\.?", part))
            if surname and surname != "et al." and "investigators" not in surname:
                words.add(surname)
    return {word for word in words if len(word) >= SHORTEST}


def engine_files() -> list[Path]:
    return sorted(path for folder in ENGINE for path in (PROJECT / folder).rglob("*")
                  if path.is_file() and "__pycache__" not in path.parts)


def mentions(words: set[str], files: list[Path]) -> list[str]:
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
                         + r")(?![\w])", re.IGNORECASE)
    found = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            where = path.relative_to(PROJECT) if path.is_relative_to(PROJECT) else path
            found += [f"{where}:{number}: {match.group(0)!r}" for match in pattern.finditer(line)]
    return found


@pytest.fixture(scope="module")
def words() -> set[str]:
    return guide_words(PROJECT / "content")


def test_the_package_and_the_templates_name_no_disease_drug_or_author_of_the_guide(words):
    assert mentions(words, engine_files()) == []


def test_the_word_list_holds_the_guides_diseases_drugs_and_authors(words):
    lowered = {word.lower() for word in words}
    assert {"calcinosis", "diltiazem", "colchicine", "dermatomyositis", "bienvenu", "lupus", "thiosulfate"} <= lowered


def test_the_grep_finds_a_drug_named_in_a_template(words, tmp_path):
    template = tmp_path / "templates" / "pages" / "x.md.j2"
    template.parent.mkdir(parents=True)
    template.write_text("{# e.g. Diltiazem, as in [@Bienvenu-2014] #}\nWarfarin-free and anti-TNF\n", encoding="utf-8")
    found = mentions(words, [template])
    assert [hit.rsplit(" ", 1)[-1] for hit in found] == ["'Diltiazem'", "'Bienvenu'", "'Warfarin'", "'anti-TNF'"]


def test_the_condition_is_not_named_inside_an_identifier_either():
    """`CalcinosisType` is one word to the grep above; the condition's name is looked for inside words too."""
    inside = re.compile("|".join(CONDITION), re.IGNORECASE)
    found = [f"{path.relative_to(PROJECT)}:{number}" for path in engine_files()
             for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
             if inside.search(line)]
    assert found == []


def test_the_minimal_guide_names_none_of_its_own_words_in_the_engine_either():
    assert mentions(guide_words(PROJECT / "tests" / "guides" / "minimal"), engine_files()) == []
