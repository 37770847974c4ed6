"""Shared fixtures: the project paths, a copy of the real content to break, and one real build per session."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from calcguide.content import ContentErrors, load_guide  # noqa: E402
from calcguide.pipeline import Layout, build_everything  # noqa: E402


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


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not found in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run_build(*args: str) -> subprocess.CompletedProcess:
    """Run build.py as an editor would, capturing what it prints."""
    return subprocess.run([sys.executable, str(PROJECT / "build.py"), *args], capture_output=True, text=True,
                          cwd=PROJECT)


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Layout:
    """The real content built once per test session into a temporary site/ and dist/."""
    root = tmp_path_factory.mktemp("output")
    layout = Layout(PROJECT, PROJECT / "content", root / "site", root / "dist", root / "work")
    build_everything(layout)
    return layout


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session (see tests/browser.py)."""
    from browser import chromium

    with chromium() as instance:
        yield instance
