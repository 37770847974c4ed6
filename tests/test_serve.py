"""The live preview: rebuilds only what changed, survives any failure with the last good site, reloads open tabs."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Error as PlaywrightError

from calcguide.pipeline import Layout
from conftest import PROJECT, run_build
from calcguide.serve import Preview



@pytest.mark.slow
def test_preview_rebuilds_only_the_language_whose_text_changed(content_copy, tmp_path):
    layout = Layout(PROJECT, content_copy, tmp_path / "site", tmp_path / "dist", tmp_path / "work")
    preview = Preview(layout)
    assert sorted(preview.rebuild()) == ["en", "fr"]
    french_page = next((layout.site_dir / "fr").rglob("diltiazem.html"))
    french_before = french_page.read_text()

    source = content_copy / "treatments" / "diltiazem.yml"
    data = yaml.safe_load(source.read_text())
    data["summary"]["en"] = "An edited English summary. The 2014 review; 78 patients."
    source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))

    assert preview.rebuild() == ["en"]
    assert "An edited English summary." in next((layout.site_dir / "en").rglob("diltiazem.html")).read_text()
    assert french_page.read_text() == french_before
    assert not list(layout.dist_dir.glob("*.zip"))  # the preview skips the offline bundle


@pytest.mark.slow
def test_preview_rebuilds_nothing_when_a_save_changes_no_page(content_copy, tmp_path):
    layout = Layout(PROJECT, content_copy, tmp_path / "site", tmp_path / "dist", tmp_path / "work")
    preview = Preview(layout)
    preview.rebuild()
    source = content_copy / "treatments" / "diltiazem.yml"
    source.write_text(source.read_text() + "\n# a comment changes no page\n")
    assert preview.rebuild() == []


@pytest.mark.slow
def test_any_failing_stage_is_reported_and_the_last_good_site_stays(content_copy, tmp_path, monkeypatch, capsys):
    layout = Layout(PROJECT, content_copy, tmp_path / "site", tmp_path / "dist", tmp_path / "work")
    preview = Preview(layout)
    assert preview.rebuild_and_report()
    page = next((layout.site_dir / "en").rglob("diltiazem.html"))
    good = page.read_text()

    def broken_search(*args):
        raise KeyError("a bug nobody foresaw")

    monkeypatch.setattr("calcguide.pipeline.enrich_search_index", broken_search)
    source = content_copy / "treatments" / "diltiazem.yml"
    data = yaml.safe_load(source.read_text())
    data["summary"]["en"] = "An edit made while a stage is broken. The 2014 review; 78 patients."
    source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    assert not preview.rebuild_and_report()
    assert "KeyError" in capsys.readouterr().err
    assert page.read_text() == good

    monkeypatch.undo()
    assert preview.rebuild_and_report()
    assert "An edit made while a stage is broken." in page.read_text()


def test_serve_previews_into_the_work_folder_never_into_the_published_site(monkeypatch):
    served = {}
    monkeypatch.setattr("calcguide.serve.serve", lambda layout, port, debug: served.update(layout=layout))
    assert run_build("serve").returncode == 0
    assert served["layout"].site_dir == PROJECT / "build" / "preview"
    assert served["layout"].dist_dir == PROJECT / "dist"  # untouched: the preview stages write no dist/


def test_a_template_mistake_is_reported_at_its_line(tmp_path, capsys):
    project = tmp_path / "project"
    project.mkdir()
    for shared in ("content", "docs", "node_modules", "mkdocs.yml"):
        (project / shared).symlink_to(PROJECT / shared)
    shutil.copytree(PROJECT / "templates", project / "templates")
    care = project / "templates" / "pages" / "care.md.j2"
    care.write_text(care.read_text() + "\n{{ broken(\n")
    layout = Layout(project, project / "content", tmp_path / "site", tmp_path / "dist", tmp_path / "work")
    assert not Preview(layout).rebuild_and_report()
    assert "templates/pages/care.md.j2:" in capsys.readouterr().err


@contextmanager
def served_tab(content: Path, tmp_path: Path, browser, address: str):
    """`build.py serve` on content, and a tab open at address once the server listens (after its first build)."""
    from browser import visit

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, str(PROJECT / "build.py"), "serve", "--port", str(port), "--content", str(content),
         "--site-dir", str(tmp_path / "site"), "--work-dir", str(tmp_path / "work")],
        stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT)
    try:
        origin = f"http://127.0.0.1:{port}"
        with visit(browser, allowed_origin=origin) as tab:
            for _ in range(600):  # until the server listens (it starts after its first build)
                try:
                    tab.page.goto(f"{origin}/{address}")
                    break
                except PlaywrightError:
                    tab.page.wait_for_timeout(100)
            yield tab.page
    finally:
        server.terminate()
        server.wait()
        log.close()


@pytest.mark.browser
def test_an_open_tab_reloads_itself_after_a_content_edit(content_copy, tmp_path, browser):
    with served_tab(content_copy, tmp_path, browser, "en/treatments/diltiazem.html") as page:
        page.evaluate("window.beforeTheEdit = true")

        source = content_copy / "treatments" / "diltiazem.yml"
        data = yaml.safe_load(source.read_text())
        # The French summary's numbers stay in the English one: the build checks that both say the same numbers.
        data["summary"]["en"] = "Summary edited while the tab is open. The 2014 review; 78 patients."
        source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))

        page.get_by_text("Summary edited while the tab is open.").wait_for(timeout=60_000)
        assert page.evaluate("window.beforeTheEdit") is None  # a fresh page: the tab reloaded itself
    built = (tmp_path / "site" / "en" / "treatments" / "diltiazem.html").read_text()
    assert "livereload" not in built  # the reload script is added as the page is served, never written


def test_while_a_rebuild_fails_every_page_served_shows_its_located_messages_escaped(content_copy, tmp_path):
    layout = Layout(PROJECT, content_copy, tmp_path / "site", tmp_path / "dist", tmp_path / "work")
    preview = Preview(layout)
    assert preview.overlay() == ""
    preview.errors = ["treatments/diltiazem.yml:4: last_reviewed: <b>not a date</b>"]
    notice = preview.overlay()
    assert "treatments/diltiazem.yml:4: last_reviewed: &lt;b&gt;not a date&lt;/b&gt;" in notice
    assert 'role="alert"' in notice


@pytest.mark.browser
def test_the_open_tab_shows_the_located_mistakes_of_a_failed_rebuild_until_a_good_one(content_copy, tmp_path,
                                                                                       browser):
    source = content_copy / "treatments" / "diltiazem.yml"
    good = source.read_text()
    with served_tab(content_copy, tmp_path, browser, "en/treatments/colchicine.html") as page:
        overlay = page.locator("#calcguide-preview-errors")
        assert overlay.count() == 0

        source.write_text(good.replace("last_reviewed: 2026-12-04", "last_reviewed: not-a-date", 1))
        overlay.wait_for(state="visible", timeout=120_000)  # the tab reloaded with the notice
        messages = page.locator(".calcguide-preview-error").all_text_contents()
        line = next(number for number, text in enumerate(good.splitlines(), 1) if text.startswith("last_reviewed:"))
        assert any(message.startswith(f"{source}:{line}:") and "last_reviewed" in message
                   for message in messages), messages
        assert page.locator("article h1").first.is_visible()  # the last good page stays under it

        source.write_text(good.replace("Diltiazem", "Diltiazem (fixed)", 1))
        overlay.wait_for(state="detached", timeout=120_000)
    assert "calcguide-preview-errors" not in (tmp_path / "site" / "en" / "treatments" / "colchicine.html").read_text()


def test_the_preview_lets_the_tab_keep_only_theme_files_named_by_their_content(tmp_path):
    from calcguide.serve import _preview_server

    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "main.57a0d79d.min.css").write_text("body{}")  # Material's: its name holds its hash
    (tmp_path / "assets" / "calcguide.css").write_text("body{}")  # ours: edited under the same name
    (tmp_path / "page.html").write_text("<html><body>page</body></html>")
    layout = Layout(PROJECT, tmp_path / "content", tmp_path, tmp_path / "dist", tmp_path / "work")
    server = _preview_server(Preview(layout), builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    try:
        def headers_of(path: str) -> dict[str, str]:
            sent = {}
            body = server.serve_request({"PATH_INFO": path, "REQUEST_METHOD": "GET"},
                                        lambda status, headers, exc_info=None: sent.update(headers, status=status))
            b"".join(body)
            assert sent["status"].startswith("200"), (path, sent)
            return sent

        assert headers_of("/assets/main.57a0d79d.min.css")["Cache-Control"] == "max-age=31536000, immutable"
        assert "Cache-Control" not in headers_of("/assets/calcguide.css")
        assert "Cache-Control" not in headers_of("/page.html")
    finally:
        server.server_close()
