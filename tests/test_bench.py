"""The benchmark runs end to end on a tiny input and reports every measure of issue 8 (it asserts no timing)."""
from __future__ import annotations

import hashlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from calcguide.content import LANGS, load_guide

PROJECT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bench_run", PROJECT / "bench" / "run.py")
bench = sys.modules["bench_run"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


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


def test_synthetic_content_clones_treatments_that_still_validate(tmp_path):
    original = len(list((PROJECT / "content" / "treatments").glob("*.yml")))
    guide = load_guide(bench.synthetic_content(3, tmp_path / "content"))
    assert len(guide.treatments) == 3 * original
    assert len({treatment.id for treatment in guide.treatments}) == 3 * original


@pytest.mark.browser
def test_quick_run_measures_the_build_against_bare_mkdocs_stage_by_stage(quick_results):
    build = quick_results["build"]["x1"]
    assert build["guide_seconds"] > 0 and build["bare_mkdocs_seconds"] > 0
    assert build["ratio"] == pytest.approx(build["guide_seconds"] / build["bare_mkdocs_seconds"])
    assert {"validate", "render", "mkdocs", "bundle"} <= set(build["stages"])


@pytest.mark.browser
def test_quick_run_times_an_edit_in_serve_for_each_language(quick_results):
    preview = quick_results["preview"]
    assert set(preview["samples"]) == set(LANGS)
    assert all(preview["samples"][lang] for lang in LANGS)


@pytest.mark.browser
def test_quick_run_weighs_pages_bundle_and_search_index(quick_results):
    weight = quick_results["weight"]
    assert weight["pages"] and all(page["first_view_compressed_bytes"] > 0 for page in weight["pages"])
    assert weight["zip_bytes"] > 0
    assert set(weight["search_index_bytes"]) == set(LANGS)
    for lang in LANGS:
        assert all(query["items"] > 0 for query in quick_results["search"][lang]["queries"])


@pytest.mark.browser
def test_quick_run_reports_every_target_it_measured(quick_results):
    targets = quick_results["targets"]
    assert set(targets) == {target.name for target in bench.TARGETS}
    unmeasured = {name for name, target in targets.items() if target["value"] is None}
    assert unmeasured == {"×50 content: build time growth"}  # --quick builds ×1 content only
