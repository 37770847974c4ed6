"""Issue 30, item 2: a page's date follows everything that renders into it. `content/reviewed.yml` records what
each page showed at its review; `check` names every page whose shown content changed without a new date,
wherever the change was written, and `build.py reviewed` records a new review."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from calcguide.content import load_guide
from calcguide.reviewed import fingerprints, read_record, record_reviews, review_problems, write_record
from conftest import PROJECT, replace_in, run_build

COLCHICINE_INTERACTION = """    - treatment: diltiazem
      mechanism: {en: "Both slow the heart [@tildiem-smpc].", fr: "Les deux ralentissent le cœur [@tildiem-smpc]."}
      action: {en: "Check the pulse [@tildiem-smpc].", fr: "Surveiller le pouls [@tildiem-smpc]."}
"""


def test_the_shipped_record_names_every_page_with_its_date():
    # (Whether the shipped pages changed since is what `check` warns about; merged work may leave some to review.)
    guide = load_guide(PROJECT / "content")
    record, _, errors = read_record(PROJECT / "content")
    assert errors == [] and set(record.pages) == set(fingerprints(guide))


def _add_an_interaction_to_diltiazem_from_another_file(content: Path) -> None:
    """An interaction written in rituximab.yml with `treatment: diltiazem` adds text to the diltiazem page (in a
    copy whose every page is first recorded as reviewed as it stands: the shipped record may trail the content)."""
    write_record(load_guide(content), content)
    path = content / "treatments" / "rituximab.yml"
    text = path.read_text(encoding="utf-8")
    assert "  interactions:\n" in text
    path.write_text(text.replace("  interactions:\n", "  interactions:\n" + COLCHICINE_INTERACTION.replace(
        "    - treatment: diltiazem", "    - treatment: diltiazem"), 1), encoding="utf-8")


def test_an_interaction_written_in_another_file_names_the_page_it_changes(content_copy):
    _add_an_interaction_to_diltiazem_from_another_file(content_copy)
    problems = [problem.for_editor() for problem in review_problems(load_guide(content_copy), content_copy)]
    diltiazem = [problem for problem in problems if "the page 'diltiazem'" in problem]
    assert len(diltiazem) == 1, problems
    assert diltiazem[0].startswith("treatments/diltiazem.yml:") and "last_reviewed" in diltiazem[0]
    assert "written in treatments/rituximab.yml" in diltiazem[0]
    assert "set last_reviewed in treatments/diltiazem.yml" in diltiazem[0]
    assert any("the page 'rituximab'" in problem for problem in problems)  # its own page changed too


def test_a_new_date_and_a_recorded_review_clear_the_message(content_copy):
    _add_an_interaction_to_diltiazem_from_another_file(content_copy)
    guide = load_guide(content_copy)
    assert record_reviews(guide, content_copy)  # refused: pages changed without a new date; nothing written
    later = guide.last_reviewed + dt.timedelta(days=1)  # after every date of the guide: the site-wide date moves
    for name in ("diltiazem", "rituximab"):
        path = content_copy / "treatments" / f"{name}.yml"
        text = path.read_text(encoding="utf-8")
        line = next(row for row in text.splitlines() if row.startswith("last_reviewed:"))
        path.write_text(text.replace(line, f"last_reviewed: {later}", 1), encoding="utf-8")
    guide = load_guide(content_copy)
    waiting = review_problems(guide, content_copy)
    assert waiting and all("is not recorded" in problem.message or "changed since" in problem.message
                           for problem in waiting)
    pending = [problem for problem in waiting if "changed since" in problem.message]
    assert all(problem.field == "pages." + problem.message.split("'")[1] for problem in pending), pending
    # Pages drawn from many files (home, safety…) take the site-wide date, which moved with these two.
    assert record_reviews(guide, content_copy) == []
    assert review_problems(load_guide(content_copy), content_copy) == []


def test_a_shared_chapter_counts_for_the_pages_that_show_it(content_copy):
    # The tiers' names show on every treatment page of the tier and on the home page.
    replace_in(content_copy / "tiers.yml", "name: {en: Surgery, fr: Chirurgie}",
               "name: {en: Surgical treatment, fr: Chirurgie}")
    pages = {problem.message.split("'")[1] for problem in review_problems(load_guide(content_copy), content_copy)}
    assert {"treatments", "home", "surgical-excision"} <= pages


def test_fingerprints_ignore_review_dates():
    guide = load_guide(PROJECT / "content")
    moved = guide.model_copy(update={"treatments": [
        treatment.model_copy(update={"last_reviewed": treatment.last_reviewed.replace(year=2027)})
        for treatment in guide.treatments]})
    assert fingerprints(moved) == fingerprints(guide)


def test_check_warns_and_a_release_check_refuses(content_copy):
    _add_an_interaction_to_diltiazem_from_another_file(content_copy)
    everyday = run_build("check", "--content", str(content_copy))
    assert everyday.returncode == 0
    assert any(row.startswith(f"warning: page changed since its review: {content_copy / 'treatments' / 'diltiazem.yml'}:")
               for row in everyday.stderr.splitlines()), everyday.stderr


def test_the_reviewed_command_writes_the_record(content_copy):
    (content_copy / "reviewed.yml").unlink()
    result = run_build("reviewed", "--content", str(content_copy))
    assert result.returncode == 0, result.stderr
    assert review_problems(load_guide(content_copy), content_copy) == []
