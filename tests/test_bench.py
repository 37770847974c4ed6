"""The benchmark runs end to end on a tiny input and reports every measure of issue 17 (it asserts no timing).
It runs as `make bench` does, in its own process: the tests import nothing from bench/, nor bench/ from tests/."""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from calcguide.content import LANGS

PROJECT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def digest(folder: Path) -> str:
    return hashlib.sha256(b"".join(p.as_posix().encode() + p.read_bytes() for p in sorted(folder.rglob("*"))
                                   if p.is_file())).hexdigest()


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    output = tmp_path_factory.mktemp("bench") / "results.json"
    content_before = digest(PROJECT / "content")
    done = subprocess.run([sys.executable, str(PROJECT / "bench" / "run.py"), "--quick", "--output", str(output)],
                          capture_output=True, text=True, cwd=PROJECT)
    assert done.returncode == 0, done.stderr
    assert digest(PROJECT / "content") == content_before, "the benchmark must never write into content/"
    return json.loads(output.read_text())


def test_quick_run_measures_cold_warm_and_edited_builds_against_bare_mkdocs(quick_results):
    build = quick_results["build"]["x1"]
    for which in ("cold", "warm", "forced", "edited"):
        assert build[f"ratio_{which}"] == pytest.approx(build[f"{which}_seconds"] / build["bare_mkdocs_seconds"])
    assert {"validate", "render", "mkdocs", "search", "prune", "chooser", "pdf", "bundle", "csp",
            "publish"} <= set(build["stages"])
    assert build["html_median_bytes"] > 0


def test_quick_run_times_an_edit_until_the_open_tab_reloads_in_each_language(quick_results):
    preview = quick_results["preview"]
    assert set(preview["samples"]) == set(LANGS)
    assert all(preview["samples"][lang] for lang in LANGS)
    # Each edit with serve's own figures beside the tab's (the rebuild's wall and CPU time, read from what serve
    # printed), and when Playwright found the text.
    assert [sample["kind"] for sample in preview["each"]] == ["treatment", "reference"]
    for sample in preview["each"]:
        assert sample["rebuild_seconds"] > 0 and sample["rebuild_cpu_seconds"] > 0
        assert sample["seen_by_playwright_seconds"] > 0


def test_the_preview_part_runs_alone(tmp_path):
    output = tmp_path / "preview.json"
    done = subprocess.run([sys.executable, str(PROJECT / "bench" / "run.py"), "--only", "preview", "--edits", "1",
                           "--output", str(output)], capture_output=True, text=True, cwd=PROJECT)
    assert done.returncode == 0, done.stderr
    results = json.loads(output.read_text())
    assert set(results) == {"machine", "date", "settings", "preview", "targets"}  # nothing else built
    assert results["preview"]["edits"] == 1
    assert list(results["targets"]) == ["edit → reloaded tab (median, 3 kinds of edit)"]


def test_quick_run_compares_zip_levels_and_ways_to_print(quick_results):
    assert {"5", "6", "9"} <= set(quick_results["zip_levels"])
    assert len(quick_results["printing"]) == 3


def test_quick_run_weighs_pages_and_searches_each_language(quick_results):
    weight = quick_results["weight"]
    assert weight["pages"] and all(page["first_view_compressed_bytes"] > 0 for page in weight["pages"])
    for lang in LANGS:
        assert all(query["items"] > 0 for query in quick_results["search"][lang]["queries"])


def test_quick_run_reports_every_target_and_leaves_only_the_scaling_unmeasured(quick_results):
    unmeasured = {name for name, target in quick_results["targets"].items() if target["value"] is None}
    assert unmeasured == {"×50 content: build time growth", "×50 content: median page weight growth"}
