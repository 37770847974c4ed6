"""Issue 30, item 3: a place for supportive and adjunct treatments (digital ulcers, pain, infection), apart from
the tiers of the 2014 review, with its own status; and `check` says where a treatment may go when no tier fits."""
from __future__ import annotations

from pathlib import Path

from calcguide.content import load_guide
from conftest import errors_of, replace_in

SUPPORTIVE_GROUP = """  - id: supportive
    supportive: true
    advice: supportive
    name: {en: Supportive care, fr: Soins de support}
    description:
      en: Treatments of what calcinosis causes (ulcers, pain, infection), not of the deposits themselves.
      fr: Traitements de ce que la calcinose entraîne (ulcérations, douleur, infection), non des dépôts eux-mêmes.
"""


def _with_a_supportive_group(content: Path) -> Path:
    tiers = content / "tiers.yml"
    tiers.write_text(tiers.read_text(encoding="utf-8") + SUPPORTIVE_GROUP, encoding="utf-8")
    return content / "treatments" / "topical-sodium-thiosulfate.yml"


def test_a_supportive_care_treatment_sits_in_the_supportive_group_with_its_own_status(content_copy):
    treatment = _with_a_supportive_group(content_copy)
    replace_in(treatment, "tiers: [localized-local]", "tiers: [supportive]")
    replace_in(treatment, "placement: review-2014", "placement: not-in-abstract")
    replace_in(treatment, "status: review-tier", "status: supportive-care")
    algorithm = content_copy / "algorithm.yml"
    algorithm.write_text(algorithm.read_text(encoding="utf-8").replace("topical-sodium-thiosulfate, ", "")
                         .replace(", topical-sodium-thiosulfate", ""), encoding="utf-8")
    guide = load_guide(content_copy)
    assert guide.tier("supportive").supportive
    assert [t.id for t in guide.treatments_in_tier("supportive")] == ["topical-sodium-thiosulfate"]
    assert guide.treatment("topical-sodium-thiosulfate").status == "supportive-care"


def test_supportive_care_outside_the_supportive_group_says_where_it_may_go(content_copy):
    treatment = content_copy / "treatments" / "rituximab.yml"
    replace_in(treatment, "status: other-option", "status: supportive-care")
    [error] = errors_of(content_copy)
    assert error.startswith("treatments/rituximab.yml:") and "tier 'refractory' is not a group for supportive care" in error
    assert "where a treatment may go" in error and "a group of tiers.yml marked supportive: true (add one)" in error


def test_a_calcinosis_treatment_in_the_supportive_group_is_refused(content_copy):
    _with_a_supportive_group(content_copy)
    replace_in(content_copy / "treatments" / "rituximab.yml", "tiers: [refractory]", "tiers: [supportive]")
    errors = errors_of(content_copy)
    assert any("tier 'supportive' is a group for supportive care, but this treatment's status is other-option" in error
               and "in supportive" in error for error in errors), errors


def test_an_unknown_tier_says_where_a_treatment_may_go(content_copy):
    replace_in(content_copy / "treatments" / "rituximab.yml", "tiers: [refractory]", "tiers: [ulcers]")
    [error] = errors_of(content_copy)
    assert "unknown tier id 'ulcers'" in error and "status other-option) in refractory" in error, error
