"""Publishing without a build: the public-address setting, review dates, changes.yml, the release gate, the
RIS and BibTeX exports. (The built pages, with and without an address: tests/test_published_site.py.)"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import bibtexparser
import pytest
from conftest import PROJECT, errors_of, line_of, replace_in, run_build

from calcguide.content import load_guide
from calcguide.export import bibtex
from calcguide.pagefacts import plain_description
from calcguide.deployment import PUBLIC_URL_VARIABLE, PublishSettings, PublishSettingsError, parse_public_url
from calcguide.release import add_months, release_problems
from calcguide.reviewed import write_record

ADDRESS = "https://calcinosis-guide.test/"
COMPLETE_SITE = """
editors:
  - name: Test Editor
    role: {en: Editor, fr: Éditeur}
    affiliation: {en: Test hospital, fr: Hôpital de test}
    interests: {en: None declared, fr: Aucun lien déclaré}
funding: {en: No external funding, fr: Aucun financement extérieur}
contact: {email: errors@calcinosis-guide.test}
"""


def complete(content: Path) -> Path:
    """A copy of content/ with everything a release needs that the shipped content lacks (fixture people)."""
    replace_in(content / "site.yml", "editors: []\n", COMPLETE_SITE.lstrip())
    write_record(load_guide(content), content)  # the editors' review of About, recorded (calcguide/reviewed.py)
    return content


# --- the public address: a setting of the deployment -------------------------------------------------------


def test_public_url_option_wins_over_the_environment_variable():
    settings = PublishSettings.from_command_line("https://a.test/guide", environ={PUBLIC_URL_VARIABLE: "https://b.test/"})
    assert settings.public_url == "https://a.test/guide/"
    assert settings.page_url("fr", "algorithme.html") == "https://a.test/guide/fr/algorithme.html"


def test_without_option_or_variable_there_is_no_address_and_no_page_url():
    settings = PublishSettings.from_command_line(None, environ={})
    assert settings.public_url is None
    assert settings.page_url("en", "index.html") is None


@pytest.mark.parametrize("address", ["https://calcinosis-guide.example.org/", "https://example.com", "ftp://host.test/",
                                     "https://host.test/?q=1", "https://host.test/a\"onload=x", "calcinosis.org"])
def test_placeholder_or_unusable_public_address_is_refused(address):
    with pytest.raises(PublishSettingsError):
        parse_public_url(address)


def test_shipped_content_names_no_public_address():
    assert "example.org" not in "".join(p.read_text(encoding="utf-8") for p in (PROJECT / "content").rglob("*.yml"))


# --- review dates ------------------------------------------------------------------------------------------


def test_site_wide_review_date_is_the_most_recent_page_review(content_copy):
    later = load_guide(content_copy).last_reviewed + dt.timedelta(days=1)
    colchicine = content_copy / "treatments" / "colchicine.yml"
    colchicine.write_text(re.sub(r"(?m)^last_reviewed: .*$", f"last_reviewed: {later.isoformat()}",
                                 colchicine.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    assert load_guide(content_copy).last_reviewed == later


def test_reference_checked_after_the_page_review_is_a_located_error(content_copy):
    replace_in(content_copy / "treatments" / "colchicine.yml", "last_reviewed: 2026-12-04", "last_reviewed: 2026-11-01")
    errors = errors_of(content_copy)
    assert len(errors) == 1
    line = line_of(content_copy / "treatments" / "colchicine.yml", "last_reviewed:")
    assert errors[0].startswith(f"treatments/colchicine.yml:{line}: last_reviewed: ")
    assert re.search(r"[a-z0-9-]+ \(\d{4}-\d\d-\d\d, references\.yml:\d+\)", errors[0])


def test_chapter_reviewed_before_its_references_were_checked_is_a_located_error(content_copy):
    care = content_copy / "care.yml"
    care.write_text(re.sub(r"(?m)^last_reviewed: .*$", "last_reviewed: 2026-01-01", care.read_text(encoding="utf-8"),
                           count=1), encoding="utf-8")
    errors = errors_of(content_copy)
    assert [error.split(": ")[0] for error in errors] == [f"care.yml:{line_of(care, 'last_reviewed:')}"]


# --- changes.yml -------------------------------------------------------------------------------------------


def test_changes_naming_an_unknown_page_is_a_located_error(content_copy):
    replace_in(content_copy / "changes.yml", "pages: []", "pages: [colchicine, about, colchicin]")
    errors = errors_of(content_copy)
    assert len(errors) == 1
    assert errors[0].startswith("changes.yml:")
    assert "unknown page id 'colchicin'" in errors[0] and "'colchicine'" in errors[0]


def test_changes_listed_oldest_first_are_refused(content_copy):
    with (content_copy / "changes.yml").open("a", encoding="utf-8") as changes:
        changes.write('  - version: "0.0.9"\n    date: 2026-12-01\n    summary: {en: Test, fr: Test}\n')
    errors = errors_of(content_copy)
    assert len(errors) == 1 and errors[0].startswith("changes.yml:") and "newest first" in errors[0]


@pytest.mark.parametrize("contact", ["{email: errors@example.org}", "{form: http://forms.test/x}",
                                     "{email: a@b.test, form: https://forms.test/x}"])
def test_contact_must_be_one_real_address(content_copy, contact):
    replace_in(content_copy / "site.yml", "editors: []\n", f"editors: []\ncontact: {contact}\n")
    assert any(error.startswith("site.yml:") and "contact" in error for error in errors_of(content_copy))


# --- the release gate --------------------------------------------------------------------------------------


def test_release_check_fails_on_shipped_content_with_one_located_error_per_missing_item(monkeypatch):
    monkeypatch.chdir(PROJECT)  # paths are printed from the current folder
    result = run_build("check", "--release")
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if not line.endswith("nothing was written")]
    assert len(errors) == 3, result.stderr
    assert errors[0].startswith("build.py: --public-url: ")
    assert {error.split(": ")[1] for error in errors[1:]} == {"editors", "contact"}
    assert all(error.startswith("content/site.yml:") and error.split(":")[1].isdigit() for error in errors[1:])


def test_release_check_lists_a_placeholder_address_with_every_other_missing_item():
    # Issue 30, item 6: a refused address does not stop the check before the rest is listed.
    result = run_build("check", "--release", "--public-url", "https://example.org/guide/")
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if not line.endswith("nothing was written")]
    assert len(errors) == 3, result.stderr
    assert errors[0].startswith("build.py: --public-url: ") and "placeholder" in errors[0]
    assert {error.split(": ")[1] for error in errors[1:]} == {"editors", "contact"}


def test_everyday_build_still_refuses_a_placeholder_address_at_once():
    result = run_build("check", "--public-url", "https://example.org/guide/")
    assert result.returncode == 2 and "placeholder" in result.stderr


def test_everyday_check_warns_about_release_items_but_passes():
    result = run_build("check")
    assert result.returncode == 0
    assert result.stderr.count("warning: not ready for release") == 3


def test_release_check_passes_on_content_that_has_everything(content_copy):
    result = run_build("check", "--release", "--content", str(complete(content_copy)), "--public-url", ADDRESS)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr


def test_release_gate_wants_a_changes_entry_for_the_current_version(content_copy):
    replace_in(complete(content_copy) / "site.yml", 'version: "0.1.0"', 'version: "0.2.0"')
    problems = release_problems(load_guide(content_copy), content_copy, PublishSettings(ADDRESS, True, dt.date(2026, 12, 1)))
    assert [(p.file, p.field) for p in problems] == [("changes.yml", "changes")]
    assert "0.2.0" in problems[0].message


def test_release_gate_wants_every_treatment_reviewed_within_the_review_cycle(content_copy):
    complete(content_copy)
    for treatment in (content_copy / "treatments").glob("*.yml"):  # all reviewed on one day, after every check
        treatment.write_text(re.sub(r"(?m)^last_reviewed: .*$", "last_reviewed: 2026-12-04",
                                    treatment.read_text(encoding="utf-8")), encoding="utf-8")
    problems = release_problems(load_guide(content_copy), content_copy,
                                PublishSettings(ADDRESS, True, today=dt.date(2028, 12, 5)))
    assert len(problems) == len(list((content_copy / "treatments").glob("*.yml")))
    assert {p.field for p in problems} == {"last_reviewed"}
    assert all(p.file.startswith("treatments/") and p.line > 1 for p in problems)
    assert release_problems(load_guide(content_copy), content_copy,
                            PublishSettings(ADDRESS, True, today=dt.date(2028, 12, 4))) == []


def test_review_cycle_counts_calendar_months():
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 11, 29), 24) == dt.date(2028, 11, 29)


# --- descriptions ------------------------------------------------------------------------------------------


def test_page_description_is_plain_text_without_citations_or_markdown():
    text = "**1 mg a day** by mouth [@ref-a; @ref-b]. See [the page](https://a.test/). " + "More words. " * 40
    description = plain_description(text)
    assert description.startswith("1\u00a0mg a day by mouth. See the page.")  # a quantity stays on one line
    assert "[" not in description and "*" not in description and len(description) <= 200


def test_every_page_has_its_own_description(guide):
    from calcguide.pagefacts import page_facts
    from calcguide.render import load_catalogue, plan_pages

    pages = plan_pages(guide, load_catalogue(PROJECT / "templates"))
    for lang in ("en", "fr"):
        # A page without a summary of its own (Safety at a glance) is described by its title.
        descriptions = [page_facts(guide, page.page_id, lang, None).description or page.titles[lang] for page in pages]
        assert all(descriptions) and len(set(descriptions)) == len(descriptions)


# --- RIS and BibTeX ----------------------------------------------------------------------------------------


# Both files read back by four readers, entry by entry: tests/test_reference_managers.py.


def test_bibtex_escapes_what_would_break_an_entry(guide):
    ref = guide.references.references[0].model_copy(update={"title": "50% & more_{x}", "authors": "Doe J, et al."})
    entry = bibtexparser.parse_string(bibtex([ref])).entries[0]
    assert entry.fields_dict["title"].value == r"{50\% \& more\_\{x\}}"
    assert entry.fields_dict["author"].value == "Doe, J. and others"
