"""Handouts are printed again exactly when something that shapes them changed, and a reuse starts no browser."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from calcguide import handout, pdfcache
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


def test_other_print_options_print_again(project, printer, tmp_path, monkeypatch):
    print_handouts(project, tmp_path)
    monkeypatch.setattr(handout, "PRINT_OPTIONS", {**handout.PRINT_OPTIONS, "printBackground": False})
    print_handouts(project, tmp_path)
    assert len(printer.printed) == 2 * len(PRINTED)


def install_chromium(path: Path, version: str) -> None:
    """A Chromium build at `path` that says its version as Debian's does (the cache asks `chromium --version`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho 'Chromium {version} built on Debian GNU/Linux 12 (bookworm)'\n")
    path.chmod(0o755)


def test_a_chromium_upgrade_prints_again_and_the_same_chromium_does_not(project, printer, tmp_path, monkeypatch):
    chromium = tmp_path / "usr" / "bin" / "chromium"
    install_chromium(chromium, "120.0.6099.224")
    monkeypatch.setattr(handout, "CHROMIUM", str(chromium))
    print_handouts(project, tmp_path)
    print_handouts(project, tmp_path)
    assert len(printer.printed) == len(PRINTED)  # the same Chromium: nothing printed again
    install_chromium(chromium, "131.0.6778.85")  # apt upgraded it in place
    print_handouts(project, tmp_path)
    assert sorted(printer.printed[len(PRINTED):]) == PRINTED


@pytest.mark.parametrize("change", ["a font installed", "a font upgraded", "a font removed"])
def test_a_change_of_the_installed_fonts_prints_again(project, printer, tmp_path, monkeypatch, change):
    fonts = tmp_path / "fonts" / "truetype" / "dejavu"
    fonts.mkdir(parents=True)
    real = next(Path("/usr/share/fonts").rglob("*.ttf"))
    (fonts / "Guide-Regular.ttf").write_bytes(real.read_bytes())
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # the user's fonts: $XDG_DATA_HOME/fonts
    print_handouts(project, tmp_path)
    print_handouts(project, tmp_path)
    assert len(printer.printed) == len(PRINTED)
    if change == "a font installed":
        (fonts / "Guide-Bold.ttf").write_bytes(real.read_bytes())
    elif change == "a font upgraded":
        (fonts / "Guide-Regular.ttf").write_bytes(real.read_bytes() + b"\0" * 64)
    else:
        (fonts / "Guide-Regular.ttf").unlink()
    print_handouts(project, tmp_path)
    assert sorted(printer.printed[len(PRINTED):]) == PRINTED
