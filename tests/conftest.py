"""Shared fixtures: the project paths, a copy of the real content to break, and one real build per session."""
from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import importlib.util
import io
import json
import re
import shutil
import sys
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from calcguide.content import ContentErrors, Moved, load_document, load_guide  # noqa: E402
from calcguide.handout import PRINTOUTS  # noqa: E402
from calcguide.pipeline import STAGES, Layout, run_stages  # noqa: E402

# The PDFs the build prints (handouts, patient leaflets), which pages link; the fast tier does not print them.
PRINTED_PDF = re.compile(r"\b(?:" + "|".join(printout.kind for printout in PRINTOUTS) + r")-[a-z]{2}\.pdf\b")


# The modules that take longest on one pytest-xdist worker of `make test` (seconds in the run of 2026-12-06 07:20,
# load 0.8 at the start, 7.1 at the end), started first: xdist hands out a module at a time and, left to itself,
# starts those with the most tests, so the long modules with few tests (the bench's smoke run, Lighthouse) came last
# and one could end the run alone. Those that mostly wait (on Chromium, Lighthouse, subprocesses) come early too, so
# that the other workers' work fills the cores while they wait. The Makefile passes --no-loadscope-reorder so that
# xdist keeps this order.
LONGEST_FIRST = (
    "test_untrusted_property.py",  # 93 s: hostile texts, each example a build of its own; builds within bounds
    "test_search_quality.py",      # 85 s: the recall runs, served and from file://
    "test_bench.py",               # 67 s: the bench's smoke run, half of it waiting
    "test_every_page.py",          # 55 s: every page of the bundle in Chromium
    "test_lighthouse.py",          # 35 s: Lighthouse on four pages, three quarters waiting
    "test_fuzz_content.py",        # 28 s
    "test_up_to_date.py",          # 25 s
    "test_print.py",               # 25 s
    "test_serve.py",               # 24 s
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest modules first (LONGEST_FIRST), then the others, those with the most tests first (xdist's own
    order); within a module the tests keep their order. Every worker collects the same order."""
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    tests_in = Counter(item.path.name for item in items)
    items.sort(key=lambda item: (rank.get(item.path.name, len(rank)), -tests_in[item.path.name], item.path.name))


@pytest.fixture(scope="session")
def guide():
    """The real content, validated (read-only: tests that break content use content_copy)."""
    return load_guide(PROJECT / "content")


@pytest.fixture(scope="session")
def catalogue():
    """The interface catalogue, templates/strings.yml."""
    from calcguide.render import load_catalogue

    return load_catalogue(PROJECT / "templates")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of content/ made once per module, never changed: property tests copy it again for each case."""
    target = tmp_path_factory.mktemp("pristine") / "content"
    shutil.copytree(PROJECT / "content", target)
    return target


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of content/ that a test may break."""
    target = tmp_path / "content"
    shutil.copytree(PROJECT / "content", target)
    return target


# Helpers for tests that break a copy of the content.
def errors_of(content: Path) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        load_guide(content)
    return [str(error) for error in caught.value.errors]




def write_kept_text(path: Path, text: str | bytes) -> None:
    """A kept file holding `text`, signed as the build signs its kept files, so that what a test of a damaged file
    damages is the text and not only the signature."""
    from calcguide.keptcache import sign

    path.write_bytes(sign(text if isinstance(text, bytes) else text.encode("utf-8")))


def read_kept_text(path: Path) -> str:
    from calcguide.keptcache import verified

    return verified(path.read_bytes()).decode("utf-8")

def copy_project_with_minimal_guide(project: Path) -> None:
    """What the build reads (build.py, mkdocs.yml, the code, templates/, docs/…) copied into a new folder `project`,
    with the minimal guide as its content/ and the installed node_modules linked, for tests that change or build it."""
    project.mkdir()
    for name in ("build.py", "mkdocs.yml", "package-lock.json"):
        shutil.copy2(PROJECT / name, project)
    for folder in SOURCES:
        shutil.copytree(PROJECT / folder, project / folder)
    shutil.rmtree(project / "content")
    shutil.copytree(PROJECT / "tests" / "guides" / "minimal", project / "content")
    (project / "node_modules").symlink_to(PROJECT / "node_modules")

def line_of(path: Path, start: str) -> int:
    """The number of the first line of `path` that starts with `start`."""
    return next(number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if line.startswith(start))


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def markdown_with_an_editor(content: Path, docs_dir: Path, catalogue) -> dict[str, dict[str, str]]:
    """Name an editor in a copy of the content, render it, and give what each page says, per language and page
    kind (a treatment page by its id): its Markdown with every content placeholder filled by its fragment."""
    from calcguide.content import LANGS, load_guide
    from calcguide.placeholders import read_tables
    from calcguide.render import render

    replace_in(content / "site.yml", "editors: []", (
        "editors:\n  - name: Test Editor\n    role: {en: Editor, fr: Éditeur}\n"
        "    affiliation: {en: A hospital, fr: Un hôpital}\n    interests: {en: None declared, fr: Aucun lien déclaré}"))
    rendered = render(load_guide(content), catalogue, PROJECT, docs_dir)
    pages: dict[str, dict[str, str]] = {}
    for lang in LANGS:
        tables = read_tables(docs_dir / f"{lang}.fragments.json")
        pages[lang] = {page.page_id: tables[page.paths[lang]].fill(
            (docs_dir / lang / page.paths[lang]).read_text(encoding="utf-8")) for page in rendered[lang].pages}
    return pages


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


def run_build(*args: str, project: Path = PROJECT) -> Run:
    """Run `build.py` (of `project`) as an editor would, in this process, capturing what it prints."""
    spec = importlib.util.spec_from_file_location(f"build_cli_{abs(hash(project))}", project / "build.py")
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return Run(code, out.getvalue(), err.getvalue())


SOURCES = ("content", "docs", "templates")


@functools.cache
def former_addresses(content: Path = PROJECT / "content") -> tuple[str, ...]:
    """The former addresses of pages (content/moved.yml): fr/evaluation.html…"""
    moved, _, errors = load_document(content / "moved.yml", Moved, content)
    assert not errors, errors
    return tuple(entry.former for entry in moved.moved)


def is_redirect_page(path: Path, content: Path = PROJECT / "content") -> bool:
    """Whether `path` (in a built site, one of its languages or the offline bundle) is the small redirect page at a
    page's former address, not a page: the tests of every page leave them to tests/test_page_names.py."""
    return any(path.as_posix().endswith(f"/{address}") for address in former_addresses(content))


def tree_digest(root: Path) -> dict[str, tuple[str, int]]:
    """Every file under root: its bytes' hash and its modification time (a rewrite with equal bytes shows too)."""
    return {path.relative_to(root).as_posix(): (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
            for path in sorted(root.rglob("*")) if path.is_file()}


@dataclass
class Built(Layout):
    """The session's build, and what content/, docs/ and templates/ held before and after it."""

    sources_before: dict = field(default_factory=dict)
    sources_after: dict = field(default_factory=dict)
    printed: bool = False  # whether the PDF handouts were printed (only in sessions with browser tests)


@pytest.fixture(scope="session")
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The real content built once per test run into a temporary site/ and dist/. The PDF handouts are printed
    only when the run has browser tests: the fast tier (`make test-fast`) never starts Chromium. With several
    pytest-xdist workers, the first one to get here builds and the others wait for it (a kernel lock), so that
    one build serves them all; every worker collects the same tests, so all take the same decision."""
    browser_tests = any(item.get_closest_marker("browser") for item in request.session.items)
    shared = tmp_path_factory.getbasetemp()
    if hasattr(request.config, "workerinput"):  # under xdist: the folder all workers of this run share
        shared = shared.parent
    root = shared / "output"
    layout = Built(PROJECT, PROJECT / "content", root / "site", root / "dist", root / "work")
    with open(shared / "output.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        record = root / "sources.json"
        if not record.exists():
            sources_before = {name: tree_digest(PROJECT / name) for name in SOURCES}
            run_stages(layout, None if browser_tests else tuple(stage.name for stage in STAGES if stage.name != "pdf"))
            sources_after = {name: tree_digest(PROJECT / name) for name in SOURCES}
            record.write_text(json.dumps([sources_before, sources_after]), encoding="utf-8")
        layout.sources_before, layout.sources_after = json.loads(record.read_text(encoding="utf-8"))
    layout.printed = browser_tests
    return layout


@pytest.fixture(scope="session")
def bundle_zip(built) -> Path:
    """The offline zip of the session's build."""
    from calcguide.package import offline_bundles

    [bundle] = offline_bundles(built.dist_dir)
    return bundle


@pytest.fixture(scope="session")
def bundle(bundle_zip, tmp_path_factory) -> Path:
    """The zip unpacked as a reader would; the folder it unpacks to."""
    target = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(bundle_zip) as archive:
        archive.extractall(target)
    [folder] = target.iterdir()
    return folder


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session (see tests/browser.py)."""
    from browser import chromium

    with chromium() as instance:
        yield instance
