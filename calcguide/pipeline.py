"""The whole build, top to bottom: validate → render → MkDocs → PDF handouts → package, then publish atomically.

Nothing is written to site/ or dist/ until every stage has succeeded: the new output is built in a staging
folder under build/ and swapped in at the end, so a failed build leaves the previous output intact.
"""
from __future__ import annotations

import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .content import ContentErrors, Guide, load_guide
from .csp import write_nginx_csp
from .handout import copy_handouts, write_handouts
from .package import write_offline_bundle
from .publish import PublishSettings
from .release import release_problems
from .render import Catalogue, load_catalogue, render
from .site import build_sites
from .templatecache import bytecode_cache


@dataclass
class Layout:
    """Where the build reads and writes; tests and the benchmark point it at temporary folders."""

    project: Path
    content_dir: Path
    site_dir: Path
    dist_dir: Path
    work_dir: Path

    @classmethod
    def default(cls, project: Path) -> "Layout":
        return cls(project, project / "content", project / "site", project / "dist", project / "build")


@dataclass
class Timings:
    stages: dict[str, float] = field(default_factory=dict)
    report: Callable[[str, float], None] = lambda name, seconds: None

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.stages[name] = time.perf_counter() - start
        self.report(name, self.stages[name])


def validate(layout: Layout, settings: PublishSettings | None = None,
             warn: Callable[[str], None] = lambda message: None) -> tuple[Guide, Catalogue]:
    """The content and the interface strings, validated; then what a public release still lacks: an error in
    a release build (`settings.release`), a warning (`warn`) in an everyday build."""
    guide, catalogue = load_guide(layout.content_dir), load_catalogue(layout.project / "templates")
    if settings is not None:
        problems = release_problems(guide, layout.content_dir, settings)
        if problems and settings.release:
            raise ContentErrors(problems)
        for problem in problems:
            warn(f"not ready for release: {problem}")
    return guide, catalogue


def build_everything(layout: Layout, timings: Timings | None = None, settings: PublishSettings | None = None,
                     warn: Callable[[str], None] = lambda message: None) -> Timings:
    timings = timings or Timings()
    settings = settings or PublishSettings()
    with timings.stage("validate"):
        guide, catalogue = validate(layout, settings, warn)
    layout.work_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="output-", dir=layout.work_dir))
    try:
        staged_site, staged_dist = staging / "site", staging / "dist"
        staged_dist.mkdir(parents=True)
        with timings.stage("render"):
            rendered = render(guide, layout.project, layout.work_dir / "docs", bytecode_cache(layout.work_dir),
                              settings)
        with timings.stage("mkdocs"):
            build_sites(guide, catalogue, rendered, layout.project, layout.work_dir, staged_site, settings)
        with timings.stage("pdf"):
            write_handouts(guide, catalogue, layout.project, layout.work_dir, staged_dist, settings)
            copy_handouts(staged_dist, staged_site)  # every page links them, on the server as in the bundle
        with timings.stage("bundle"):
            write_offline_bundle(guide, staged_site, staged_dist)
            write_nginx_csp(staged_site, staged_dist)  # the hosted site's CSP allows this build's inline scripts
        with timings.stage("publish"):
            publish(staged_site, layout.site_dir)
            publish(staged_dist, layout.dist_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return timings


def publish(staged: Path, target: Path) -> None:
    """Replace target with staged in two renames, so readers never see a half-written folder."""
    previous = target.with_name(target.name + ".previous")
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        target.rename(previous)
    shutil.move(str(staged), str(target))
    shutil.rmtree(previous, ignore_errors=True)
