"""The build is one ordered list of stages; the two languages built in parallel give the sequential build's sites."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from calcguide.pipeline import PREVIEW_STAGES, STAGES, Layout, run_stages
from conftest import PROJECT

SITE_STAGES = ("validate", "render", "mkdocs", "search", "prune", "chooser", "publish")


def tree(root: Path) -> dict[str, str]:
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


def test_the_preview_runs_a_subset_of_the_build_in_the_same_order():
    names = [stage.name for stage in STAGES]
    assert [name for name in names if name in PREVIEW_STAGES] == list(PREVIEW_STAGES)
    assert names.index("publish") == len(names) - 1


@pytest.mark.slow
def test_parallel_build_writes_the_same_sites_as_the_sequential_build(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")  # MkDocs dates the sitemap with the build's time
    sites = {}
    for parallel in (True, False):
        root = tmp_path / ("parallel" if parallel else "sequential")
        layout = Layout(PROJECT, PROJECT / "content", root / "site", root / "dist", root / "work")
        run_stages(layout, SITE_STAGES, parallel=parallel)
        sites[parallel] = tree(layout.site_dir)
    assert sites[True] == sites[False]
    assert len(sites[True]) > 50
