"""What every part of the benchmark shares: paths, running build.py, synthetic content, a headless Chromium.

The benchmark imports nothing from tests/ (and the tests import nothing from here): the browser below is the
same Debian Chromium the tests drive, launched the same way, but owned by the benchmark.
"""
from __future__ import annotations

import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))  # the page addresses come from the project's own catalogue (calcguide)
BUILD_PY = PROJECT / "build.py"
LANGS = ("en", "fr")
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
# build.py prints one `stage    1.23 s` line per pipeline stage (and `mkdocs[en]` per language).
STAGE_LINE = re.compile(r"^([\w\[\]]+)\s+([\d.]+) s$", re.MULTILINE)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


class BenchError(Exception):
    pass


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def synthetic_content(scale: int, target: Path) -> Path:
    """content/ with every treatment cloned `scale` times (new ids and names), in target."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(PROJECT / "content", target)
    treatments = sorted((target / "treatments").glob("*.yml"))
    for copy in range(2, scale + 1):
        for source in treatments:
            data = yaml.safe_load(source.read_text(encoding="utf-8"))
            data["id"] = f"{data['id']}-{copy}"
            data["name"] = {lang: f"{data['name'][lang]} {copy}" for lang in LANGS}
            (source.parent / f"{data['id']}.yml").write_text(
                yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def build_command(content: Path, root: Path, *extra: str) -> list[str]:
    return [sys.executable, str(BUILD_PY), *extra, "--content", str(content), "--site-dir", str(root / "site"),
            "--dist-dir", str(root / "dist"), "--work-dir", str(root / "work")]


def cpu_seconds() -> float:
    """CPU time (user + system) of the finished child processes of this one, theirs included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(command: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall and CPU seconds of a command. On a shared machine the wall time carries the other jobs' load; the
    CPU time does not (but it cannot show what running on two cores at once gains)."""
    cpu, start = cpu_seconds(), time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=ENV, cwd=PROJECT)
    return time.perf_counter() - start, cpu_seconds() - cpu, done


def guide_build(content: Path, root: Path, *flags: str) -> tuple[float, dict[str, float], float]:
    """Wall time of `build.py` on content (PDFs included), the time of each stage it reports, its CPU time."""
    wall, cpu, done = timed_run(build_command(content, root, *flags))
    if done.returncode:
        raise BenchError(f"build.py failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return wall, {name: float(seconds) for name, seconds in STAGE_LINE.findall(done.stdout)}, cpu


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.01) -> Any:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    raise BenchError(f"timed out after {timeout:.0f} s waiting for {what}")


@contextmanager
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def local_tab(browser: Any, origin: str, **options: Any) -> Iterator[tuple[Any, list[str]]]:
    """A tab in a fresh context where any request outside `origin` is refused and recorded."""
    context = browser.new_context(**options)
    outside: list[str] = []

    def guard(route, request):  # noqa: ANN001 - Playwright's callback
        if request.url.startswith((origin, "data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(request.url)
            route.abort()

    context.route("**/*", guard)
    try:
        yield context.new_page(), outside
    finally:
        context.close()
