"""What reading a built page found is remembered by the page's bytes (calcguide/verdicts.py): the same page is not
read again, any other page is, and the verdicts are those of a first reading."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from calcguide.audit import OutputCheckError, check_html, check_site, inline_scripts
from calcguide.verdicts import Verdicts
from conftest import write_kept_text

CLEAN = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head><body><p>page</p></body></html>'
HOSTILE = CLEAN.replace("<p>page</p>", '<p onclick="steal()">page</p>')


class Reading:
    """A reading that counts how often it is done."""

    def __init__(self, verdict: list[str]):
        self.verdict, self.times = verdict, 0

    def __call__(self) -> list[str]:
        self.times += 1
        return self.verdict


def test_the_same_page_is_read_once_across_builds(tmp_path):
    reading = Reading(["a finding"])
    first = Verdicts(tmp_path / "verdicts.json", "scripts")
    assert first.remember("check", CLEAN, reading) == ["a finding"]
    first.save()
    again = Verdicts(tmp_path / "verdicts.json", "scripts")
    assert again.remember("check", CLEAN, reading) == ["a finding"]
    assert reading.times == 1


@pytest.mark.parametrize("other", ["page", "kind", "given", "scripts"])
def test_anything_else_is_read_afresh(tmp_path, other):
    stored = Verdicts(tmp_path / "verdicts.json", "scripts")
    stored.remember("check", CLEAN, Reading([]))
    stored.save()
    reading = Reading(["read"])
    verdicts = Verdicts(tmp_path / "verdicts.json", "other scripts" if other == "scripts" else "scripts")
    verdicts.remember("scripts" if other == "kind" else "check", HOSTILE if other == "page" else CLEAN, reading,
                      given="fr/index.html" if other == "given" else None)
    assert reading.times == 1


def test_an_unreadable_file_reads_every_page(tmp_path):
    write_kept_text(tmp_path / "verdicts.json", '{"salt": "x", "verd')
    reading = Reading([])
    Verdicts(tmp_path / "verdicts.json", "scripts").remember("check", CLEAN, reading)
    assert reading.times == 1


def test_no_redirect_and_an_empty_redirect_are_two_readings(tmp_path):
    verdicts, reading = Verdicts(tmp_path / "verdicts.json", "scripts"), Reading([])
    verdicts.remember("check", CLEAN, reading, given=None)
    verdicts.remember("check", CLEAN, reading, given="None")  # once read as the same text
    assert reading.times == 2


def _salt(tmp_path: Path) -> str:
    return Verdicts(tmp_path / "unused.json", "scripts").salt


DAMAGED = {
    "nested past Python's limit": lambda path: write_kept_text(path, "[" * 100_000),
    "verdicts of another shape": lambda path: write_kept_text(path, 
        json.dumps({"salt": _salt(path.parent), "verdicts": []})),
    "a verdict of another shape": lambda path: write_kept_text(path, 
        json.dumps({"salt": _salt(path.parent), "verdicts": {"key": "not a list"}})),
    "not an object": lambda path: write_kept_text(path, "[]"),
    "a folder": lambda path: path.mkdir(),
}


@pytest.mark.parametrize("damage", DAMAGED, ids=list(DAMAGED))
def test_a_damaged_file_reads_every_page_and_is_replaced_or_left_without_a_stray_file(tmp_path, damage):
    path = tmp_path / "verdicts.json"
    DAMAGED[damage](path)
    verdicts, reading = Verdicts(path, "scripts"), Reading(["a finding"])
    assert verdicts.remember("check", CLEAN, reading) == ["a finding"] and reading.times == 1
    verdicts.save()  # a folder in its place: not written, and no error
    assert [item.name for item in tmp_path.iterdir() if item.name != "unused.json"] == ["verdicts.json"]
    Verdicts(path, "scripts").remember("check", CLEAN, reading)
    assert reading.times == (2 if damage == "a folder" else 1)


def test_a_hostile_page_fails_the_check_after_a_clean_one_was_remembered(tmp_path):
    site = tmp_path / "site"
    (site / "en").mkdir(parents=True)
    page = site / "en" / "index.html"
    page.write_text(CLEAN)
    verdicts = Verdicts(tmp_path / "verdicts.json", "")
    check_site([site / "en"], site, lambda source: False, verdicts=verdicts)
    verdicts.save()
    page.write_text(HOSTILE)
    with pytest.raises(OutputCheckError, match="onclick"):
        check_site([site / "en"], site, lambda source: False, verdicts=Verdicts(tmp_path / "verdicts.json", ""))


def test_remembered_verdicts_are_those_of_a_first_reading(tmp_path):
    html = CLEAN.replace("<p>page</p>", "<script>var theme = 1;</script><p>page</p>")
    allows_nothing = lambda source: False  # noqa: E731
    for build in range(2):
        verdicts = Verdicts(tmp_path / "verdicts.json", "")
        assert verdicts.remember("scripts", html, lambda: inline_scripts(html)) == ["var theme = 1;"]
        assert verdicts.remember("check", html, lambda: check_html(html, allows_nothing)) == check_html(
            html, allows_nothing) != []
        verdicts.save()
