"""Handouts are printed again exactly when something that shapes them changed, and a reuse starts no browser."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from calcguide import handout
from calcguide.pipeline import Layout, validate
from conftest import PROJECT, replace_in


class CountingPrinter:
    """Stands in for Chromium: writes a PDF-like file per page and remembers which pages it printed."""

    def __init__(self) -> None:
        self.printed: list[str] = []

    def __call__(self, printouts: dict[Path, Path], metadata: dict | None = None) -> None:
        for source, target in printouts.items():
            self.printed.append(source.name)
            target.write_bytes(b"%PDF-1.7 " + source.read_bytes())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose content and stylesheets a test may edit."""
    root = tmp_path / "project"
    for folder in ("content", "templates", "docs"):
        shutil.copytree(PROJECT / folder, root / folder)
    return root


@pytest.fixture
def printer(monkeypatch: pytest.MonkeyPatch) -> CountingPrinter:
    counting = CountingPrinter()
    monkeypatch.setattr(handout, "print_pages", counting)
    return counting


def print_handouts(project: Path, work: Path) -> dict[str, bytes]:
    layout = Layout(project, project / "content", work / "site", work / "dist", work / "work")
    guide, catalogue = validate(layout)
    layout.dist_dir.mkdir(parents=True, exist_ok=True)
    return {path.name: path.read_bytes()
            for path in handout.write_handouts(guide, catalogue, project, layout.work_dir, layout.dist_dir)}


PRINTED = ["handout-en.html", "handout-fr.html", "leaflet-en.html", "leaflet-fr.html"]


def test_unchanged_inputs_reuse_the_printed_handouts(project, printer, tmp_path):
    first = print_handouts(project, tmp_path)
    assert sorted(printer.printed) == PRINTED
    second = print_handouts(project, tmp_path)
    assert len(printer.printed) == len(PRINTED)  # nothing printed the second time
    assert second == first


def test_a_stylesheet_change_prints_both_handouts_again_and_the_leaflets_not(project, printer, tmp_path):
    print_handouts(project, tmp_path)
    with (project / "templates" / "handout.css").open("a", encoding="utf-8") as css:
        css.write("\n.cg-handout { letter-spacing: 0.01em; }\n")
    print_handouts(project, tmp_path)
    assert sorted(printer.printed[len(PRINTED):]) == ["handout-en.html", "handout-fr.html"]


def test_a_french_text_change_prints_the_french_sheets_alone(project, printer, tmp_path):
    print_handouts(project, tmp_path)
    replace_in(project / "content" / "site.yml", "  fr: ", "  fr: Nouveau ")  # the French title, on every sheet
    print_handouts(project, tmp_path)
    assert printer.printed[len(PRINTED):] == ["handout-fr.html", "leaflet-fr.html"]


def test_a_patient_text_change_prints_that_leaflet_alone(project, printer, tmp_path):
    print_handouts(project, tmp_path)
    replace_in(project / "content" / "leaflet.yml", "It does not replace", "It never replaces")
    print_handouts(project, tmp_path)
    assert printer.printed[len(PRINTED):] == ["leaflet-en.html"]


def test_another_chromium_or_other_options_print_again(project, printer, tmp_path, monkeypatch):
    print_handouts(project, tmp_path)
    monkeypatch.setattr(handout, "PRINT_OPTIONS", {**handout.PRINT_OPTIONS, "printBackground": False})
    print_handouts(project, tmp_path)
    assert len(printer.printed) == 2 * len(PRINTED)
