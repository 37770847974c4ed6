"""The PDF printer sees only the handout: Chromium, driven as the build drives it (calcguide/cdp.py), loads the
page and files of the page's own folder, refuses and reports any other request (another file of the machine, the
network), and runs no script."""
from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from calcguide.cdp import BrowserError, Chromium
from calcguide.handout import CHROMIUM, CHROMIUM_ARGS, PRINT_OPTIONS

pytestmark = pytest.mark.browser


def write_page(folder: Path, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / "handout-en.html"
    page.write_text(f"<!doctype html><html><head><meta charset=utf-8><title>t</title></head><body>{body}</body></html>",
                    encoding="utf-8")
    return page


def test_printer_refuses_and_reports_files_outside_the_folder_and_the_network(tmp_path):
    (tmp_path / "secret.txt").write_text("build secret", encoding="utf-8")
    page = write_page(tmp_path / "handouts", '<p>dose</p><iframe src="../secret.txt"></iframe>'
                      '<img src="file:///etc/hostname" alt=""><img src="http://127.0.0.1:9/pixel.png" alt="">')
    target = tmp_path / "handout-en.pdf"
    with Chromium(CHROMIUM, CHROMIUM_ARGS) as browser:
        with pytest.raises(BrowserError) as refused:
            browser.print_pdf(page, target, PRINT_OPTIONS)
    message = str(refused.value)
    for url in ((tmp_path / "secret.txt").as_uri(), "file:///etc/hostname", "http://127.0.0.1:9/pixel.png"):
        assert url in message
    assert not target.exists()


def test_printer_loads_files_of_the_handout_folder(tmp_path):
    folder = tmp_path / "handouts"
    page = write_page(folder, '<p>dose</p><link rel="stylesheet" href="handout.css">')
    (folder / "handout.css").write_text("p { color: #333 }", encoding="utf-8")
    with Chromium(CHROMIUM, CHROMIUM_ARGS) as browser:
        browser.print_pdf(page, tmp_path / "out.pdf", PRINT_OPTIONS)
    assert "dose" in PdfReader(tmp_path / "out.pdf").pages[0].extract_text()


def test_printer_runs_no_script(tmp_path):
    page = write_page(tmp_path / "handouts", "<p id=dose>written by the template</p>"
                      "<script>document.getElementById('dose').textContent = 'written by a script'</script>")
    with Chromium(CHROMIUM, CHROMIUM_ARGS) as browser:
        browser.print_pdf(page, tmp_path / "out.pdf", PRINT_OPTIONS)
    text = PdfReader(tmp_path / "out.pdf").pages[0].extract_text()
    assert "written by the template" in text and "written by a script" not in text


def test_built_handouts_hold_only_web_links(built):
    for handout in sorted(built.dist_dir.glob("handout-*.pdf")):
        for page in PdfReader(handout).pages:
            for annotation in page.get("/Annots") or []:
                action = annotation.get_object().get("/A")
                if action is None:
                    continue
                action = action.get_object()
                assert action.get("/S") in ("/URI", "/GoTo"), (handout.name, action)
                if action.get("/S") == "/URI":
                    assert str(action["/URI"]).startswith(("https://", "http://")), (handout.name, action["/URI"])
