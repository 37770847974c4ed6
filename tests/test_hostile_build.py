"""The reproductions of issue 16 that need a build: settings and interface strings written to inject markup build
into pages, handouts and the zip where they are plain text; what cannot be made harmless is refused before any
output; the preview (`serve`) survives each case and recovers when it is fixed."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from calcguide.audit import read_elements
from calcguide.content import ContentErrors
from calcguide.deployment import PublishSettings, PublishSettingsError
from calcguide.pipeline import Layout, build_everything, validate
from calcguide.serve import Preview
from conftest import PROJECT, is_redirect_page, replace_in
from untrusted import set_text

pytestmark = pytest.mark.slow  # builds of their own, besides the session's shared one

TITLE = 'Guide" http-equiv="refresh" content="0;url=https://evil.example/'
SHORT_TITLE = "Calcinosis' autofocus onfocus='alert(1)"
PRINT = 'Print" autofocus onfocus="alert(1)'
NAME = 'Diltiazem" onmouseover="alert(1)'


def project_copy(root: Path) -> Path:
    """What the build reads besides content: templates, docs, mkdocs.yml (and the shared node_modules)."""
    root.mkdir()
    shutil.copy2(PROJECT / "mkdocs.yml", root)
    for folder in ("templates", "docs", "content"):
        shutil.copytree(PROJECT / folder, root / folder)
    (root / "node_modules").symlink_to(PROJECT / "node_modules")
    return root


def layout_of(project: Path, output: Path) -> Layout:
    return Layout(project, project / "content", output / "site", output / "dist", output / "work")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Layout:
    root = tmp_path_factory.mktemp("hostile")
    project = project_copy(root / "project")
    # In both languages: a text states the same numbers in each (the parity check refuses "alert(1)" in one only).
    for lang in ("en", "fr"):
        set_text(project / "content", "site.yml", "title", lang, TITLE)
        set_text(project / "content", "site.yml", "short_title", lang, SHORT_TITLE)
        set_text(project / "content", "treatments/diltiazem.yml", "name", lang, NAME)
    replace_in(project / "templates" / "strings.yml", "print: {en: Print, fr: Imprimer}",
               f"print: {{en: '{PRINT.replace(chr(39), chr(39) * 2)}', fr: 'Imprimer (1)'}}")
    layout = layout_of(project, root)
    build_everything(layout)
    return layout


def html_pages(layout: Layout) -> list[Path]:
    """Its pages; the redirect pages at former addresses refresh by design (tests/test_page_names.py)."""
    return sorted(page for page in layout.site_dir.rglob("*.html") if not is_redirect_page(page))


def test_injected_quotes_become_no_attribute_in_any_page(hostile):
    for page in html_pages(hostile):
        for element in read_elements(page.read_text(encoding="utf-8")):
            assert not {name for name in element.attributes if name.startswith("on") or name == "autofocus"}, page
            assert element.attributes.get("http-equiv", "").lower() != "refresh", page


def test_injected_values_show_as_the_text_the_editor_wrote(hostile):
    from html import unescape

    home = unescape((hostile.site_dir / "en" / "index.html").read_text(encoding="utf-8"))
    assert SHORT_TITLE in home and PRINT in home
    treatment = unescape(next((hostile.site_dir / "en").rglob("diltiazem.html")).read_text(encoding="utf-8"))
    assert NAME in treatment


def test_injected_title_is_plain_text_in_the_handout_and_the_zip(hostile):
    text = " ".join(page.extract_text() for page in PdfReader(hostile.dist_dir / "handout-en.pdf").pages)
    assert "http-equiv" in " ".join(text.split())
    with zipfile.ZipFile(next(hostile.dist_dir.glob("*.zip"))) as bundle:
        for name in bundle.namelist():
            assert "\\" not in name and ".." not in Path(name).parts
            if name.endswith(".html"):
                elements = read_elements(bundle.read(name).decode("utf-8"))
                assert not any(name.startswith("on") for element in elements for name in element.attributes)


def test_public_address_with_markup_is_refused():
    # The public address is a setting of the deployment (build.py --public-url), no longer content.
    with pytest.raises(PublishSettingsError):
        PublishSettings.from_command_line('https://x.test/"><script>alert(1)</script>/#', environ={})


def test_symlink_under_docs_to_the_build_environment_is_refused(tmp_path):
    project = project_copy(tmp_path / "project")
    (project / "docs" / "assets" / "environ.txt").symlink_to("/proc/self/environ")
    with pytest.raises(ContentErrors) as caught:
        validate(layout_of(project, tmp_path))
    assert [str(error) for error in caught.value.errors] == [
        "docs/assets/environ.txt:1: (file): this path is a symbolic link; the build reads only regular files inside "
        "the repository (copy the file here instead of linking to it)"]


def test_strings_yml_that_is_a_link_is_refused(tmp_path):
    project = project_copy(tmp_path / "project")
    (project / "templates" / "strings.yml").unlink()
    (project / "templates" / "strings.yml").symlink_to(PROJECT / "templates" / "strings.yml")
    with pytest.raises(ContentErrors) as caught:
        validate(layout_of(project, tmp_path))
    assert any("templates/strings.yml" in str(error) and "symbolic link" in str(error) for error in caught.value.errors)


# --- the preview survives every case and recovers ---------------------------------------------------------

BREAKS = {
    "alias bomb": lambda project: (project / "content" / "glossary.yml").write_text(
        "a: &a [x, x, x]\nb: &b [*a, *a, *a]\n", encoding="utf-8"),
    "named pipe": lambda project: __import__("os").mkfifo(project / "content" / "treatments" / "pipe.yml"),
    "docs symlink": lambda project: (project / "docs" / "environ.txt").symlink_to("/proc/self/environ"),
    "foreign inline script": lambda project: replace_in(project / "templates" / "theme" / "main.html",
                                                          "{{ super() }}", "{{ super() }}<script>alert(1)</script>"),
    "bidi control": lambda project: set_text(project / "content", "site.yml", "title", "en", "x\u202ey"),
}


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> tuple[Preview, Path]:
    root = tmp_path_factory.mktemp("preview")
    project = project_copy(root / "project")
    shutil.copytree(project, root / "pristine", symlinks=True)
    preview = Preview(layout_of(project, root))
    assert preview.rebuild_and_report()
    return preview, root


def restore(root: Path) -> None:
    for folder in ("content", "docs", "templates"):
        shutil.rmtree(root / "project" / folder)
        shutil.copytree(root / "pristine" / folder, root / "project" / folder)


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_preview_survives_each_case_keeps_the_last_site_and_recovers(preview, case, capsys):
    preview, root = preview
    page = preview.layout.site_dir / "en" / "index.html"
    before = page.read_text(encoding="utf-8")
    BREAKS[case](root / "project")
    try:
        assert preview.rebuild_and_report() is False
        assert "last good build" in capsys.readouterr().err
        assert page.read_text(encoding="utf-8") == before
    finally:
        restore(root)
    assert preview.rebuild_and_report() is True
