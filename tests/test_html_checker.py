"""The Nu HTML Checker (vnu-jar from npm, pinned in package-lock.json, run by Debian's Java) finds no error on any
built page of either language, the theme's own markup included; and our copies of Material's templates differ
from the installed theme only where their header comment says."""
from __future__ import annotations

import difflib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT

VNU = PROJECT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
MATERIAL = Path(__import__("material").__file__).parent / "templates"
# What Material 9.8.2 writes and our overrides mend (templates/theme/base.html, partials/nav-item.html).
UNFIXED_THEME = {
    '<input class="md-toggle" data-md-toggle="drawer" type="checkbox" id="__drawer">':
        '<input class="md-toggle" data-md-toggle="drawer" type="checkbox" id="__drawer" autocomplete="off">',
    '<input class="md-toggle" data-md-toggle="search" type="checkbox" id="__search">':
        '<input class="md-toggle" data-md-toggle="search" type="checkbox" id="__search" autocomplete="off">',
}
SECTION_LABEL = re.compile(r'(<label class="md-nav__link" for="[^"]+" id="[^"]+_label")>')

needs_java = pytest.mark.skipif(not (shutil.which("java") and VNU.is_file()),
                                reason="Java and node_modules/vnu-jar (make test installs them)")


def vnu_errors(pages: list[Path]) -> dict[str, list[str]]:
    """One Java run over every page; the errors (and warnings) of each page, by file name."""
    done = subprocess.run(["java", "-Xss8m", "-jar", str(VNU), "--format", "json", "--exit-zero-always",
                           *map(str, pages)], capture_output=True, text=True, check=True)
    report = json.loads(done.stderr)  # vnu writes its JSON report to standard error
    found: dict[str, list[str]] = {}
    for message in report["messages"]:
        if message["type"] == "error" or message.get("subType") == "warning":
            found.setdefault(message.get("url", "?").removeprefix("file:"), []).append(
                f"{message.get('lastLine', '?')}: {message['message']}")
    return found


@pytest.fixture(scope="module")
def checked(built, tmp_path_factory) -> tuple[list[Path], dict[str, list[str]], Path]:
    """Every built page of both languages (the chooser and the 404 pages included), plus one page put back as
    Material writes it without our overrides (a canary: it must fail, or the check is not checking)."""
    pages = sorted(built.site_dir.rglob("*.html"))
    canary = tmp_path_factory.mktemp("vnu") / "unfixed-theme.html"
    text = (built.site_dir / "en" / "index.html").read_text(encoding="utf-8")
    for ours, materials in UNFIXED_THEME.items():
        text = text.replace(ours, materials)
    text = SECTION_LABEL.sub(r'\1 tabindex="">', text, count=1)
    canary.write_text(text, encoding="utf-8")
    return pages, vnu_errors([*pages, canary]), canary


@pytest.mark.checker
@needs_java
def test_the_nu_html_checker_finds_no_error_on_any_page_of_either_language(checked, built):
    pages, errors, canary = checked
    assert {page.relative_to(built.site_dir).parts[0] for page in pages} >= {"en", "fr", "index.html"}
    assert len(pages) > 60
    assert {page: found for page, found in errors.items() if page != str(canary)} == {}


@pytest.mark.checker
@needs_java
def test_the_nu_html_checker_fails_a_page_with_materials_unfixed_markup(checked):
    _, errors, canary = checked
    found = errors[str(canary)]
    assert sum("autocomplete" in error for error in found) == 2
    assert sum("tabindex" in error for error in found) == 1


OVERRIDES = {"base.html": 2, "partials/nav-item.html": 2}  # Material's template → lines our copy changes


@pytest.mark.parametrize("name", OVERRIDES)
def test_our_copy_of_a_material_template_differs_only_where_its_comment_says(name):
    """A Material upgrade that changes the template shows here, instead of being silently hidden by our copy."""
    ours = (PROJECT / "templates" / "theme" / name).read_text(encoding="utf-8")
    assert ours.startswith("{#- Material for MkDocs 9.8.2's ")
    ours = ours.split("-#}\n", 1)[1]  # our header comment, which names the change and why
    theirs = (MATERIAL / name).read_text(encoding="utf-8")
    changed = [line for line in difflib.unified_diff(theirs.splitlines(), ours.splitlines(), lineterm="", n=0)
               if line.startswith("-") and not line.startswith("---")]
    assert len(changed) == OVERRIDES[name], changed
    assert all("autocomplete" in line or "tabindex" in line for line in changed), changed
