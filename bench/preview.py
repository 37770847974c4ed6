"""Live preview: from saving a content file (a treatment, a reference, the algorithm) to the open browser tab
showing the edit, reloaded by itself."""
from __future__ import annotations

import functools
import os
import re
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from common import (ENV, LANGS, PROJECT, BenchError, build_command, chromium, cpu_seconds, free_port, local_tab, log,
                    wait_for)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except OSError:
        return False


# The kinds of edit an editor makes (issue 25): a treatment's text, a reference, the algorithm; each with the file
# it changes, how it writes a marker into it, and the page (by the catalogue's kind) that shows the marker.
def _edit_treatment(content: Path, lang: str, marker: str) -> tuple[Path, str]:
    source = sorted((content / "treatments").glob("*.yml"))[0]
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["summary"][lang] = data["summary"][lang].split(" benchmark")[0] + f" {marker}."
    return source, yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _edit_reference(content: Path, lang: str, marker: str) -> tuple[Path, str]:
    source = content / "references.yml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    reference = data["references"][0]
    reference["title"] = reference["title"].split(" benchmark")[0] + f" {marker}"
    return source, yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _edit_algorithm(content: Path, lang: str, marker: str) -> tuple[Path, str]:
    # Edited as text: algorithm.yml holds flow mappings with "?" in them, which the project's loader reads and
    # PyYAML does not. The marker goes at the end of the first node's detail in that language, in place of this
    # language's earlier marker (the other language's stays, as an editor's save of one language leaves the other).
    source = content / "algorithm.yml"
    lines = source.read_text(encoding="utf-8").split("\n")
    detail = next(number for number, line in enumerate(lines) if line.strip() == "detail:")
    line = next(number for number in range(detail + 1, len(lines)) if lines[number].strip().startswith(f"{lang}: "))
    lines[line] = lines[line].split(" benchmark")[0] + f" {marker}."
    return source, "\n".join(lines)


EDITS = (("treatment", _edit_treatment), ("reference", _edit_reference), ("algorithm", _edit_algorithm))


@functools.cache
def _page_of(kind: str, lang: str, content: Path) -> str:
    """The address of the page that shows an edit of this kind, as the build plans it: a treatment's French page
    has a French name of its own (its English id's address there is a redirect page, which the tab would follow
    on every reload)."""
    from calcguide.catalogue import load_catalogue
    from calcguide.content import load_guide
    from calcguide.pages import plan_pages

    treatment = sorted((content / "treatments").glob("*.yml"))[0].stem
    page_id = {"treatment": treatment, "reference": "references", "algorithm": "algorithm"}[kind]
    page = next(page for page in plan_pages(load_guide(content), load_catalogue(PROJECT / "templates"))
                if page.page_id == page_id)
    return f"{lang}/{page.paths[lang].removesuffix('.md')}.html"


def measure_preview(content: Path, root: Path, edits: int) -> dict[str, Any]:
    """Start `build.py serve`, then save edits of three kinds in turn (a treatment's text, a reference, the
    algorithm; English and French in turn), each with the page that shows it open in a tab, and time each save
    until the tab, reloaded by the server's live-reload script, has loaded the page with the new text."""
    port = free_port()
    root.mkdir(parents=True, exist_ok=True)
    output = root / "serve.log"
    cpu_before = cpu_seconds()
    with output.open("w") as log_file:
        server = subprocess.Popen([*build_command(content, root, "serve"), "--port", str(port)],
                                  stdout=log_file, stderr=subprocess.STDOUT, env=ENV, cwd=PROJECT)
    try:
        origin = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(f"{origin}/en/index.html"), 300, "the first build of `build.py serve`", 0.1)
        samples: dict[str, list[float]] = {kind: [] for kind, _ in EDITS}
        by_language: dict[str, list[float]] = {lang: [] for lang in LANGS}
        each: list[dict[str, Any]] = []
        with chromium() as browser, local_tab(browser, origin) as (tab, _):
            for edit in range(edits):
                kind, write = EDITS[edit % len(EDITS)]
                # English and French in turn: with three kinds of edit, each kind comes in both languages, and the
                # first two edits (--quick) are one of each language.
                lang = LANGS[edit % len(LANGS)]
                tab.goto(f"{origin}/{_page_of(kind, lang, content)}")
                tab.wait_for_load_state("load")
                marker = f"benchmark{edit}edit{time.time_ns() % 100000}"
                source, text = write(content, lang, marker)
                rebuilds_before = len(_rebuilds(output))
                saved = time.time()
                source.write_text(text, encoding="utf-8")
                tab.get_by_text(marker).first.wait_for(timeout=120_000)
                seen = time.time() - saved
                # The tab showed the edit when the reloaded page that holds it had loaded (its load event, on the
                # browser's clock, the same wall clock as ours); Playwright finds the text up to a few tenths
                # later, polling (`seen`), which no editor waits for.
                origin_ms, loaded_ms = tab.evaluate(LOADED)
                seconds = (origin_ms + loaded_ms) / 1000 - saved
                samples[kind].append(seconds)
                by_language[lang].append(seconds)
                # serve's own figure for this save (`rebuilt en in 0.31 s`): the rest is the save noticed, the
                # tab told and the page loaded again.
                rebuilt = wait_for(lambda: _rebuilds(output)[rebuilds_before:], 60, "serve's report of the rebuild")
                (rebuild_seconds, rebuild_cpu), = rebuilt[-1:]
                each.append({"kind": kind, "lang": lang, "seconds": seconds, "seen_by_playwright_seconds": seen,
                             "rebuild_seconds": rebuild_seconds, "rebuild_cpu_seconds": rebuild_cpu})
                log(f"    edit {edit + 1}/{edits} ({kind}, {lang}): {seconds:.2f} s (rebuilt in {rebuild_seconds:.2f} s,"
                    f" CPU {rebuild_cpu or 0:.2f} s; found by Playwright at {seen:.2f} s)")
        every = [seconds for times in samples.values() for seconds in times]
        if not every:
            raise BenchError("no edit was timed")
        return {"edits": len(every), "median_seconds": statistics.median(every), "max_seconds": max(every),
                "samples": by_language, "by_kind": {kind: statistics.median(times) for kind, times in samples.items()
                                                   if times},
                "each": each, "rebuild_median_seconds": statistics.median(sample["rebuild_seconds"] for sample in each),
                "rebuild_cpu_median_seconds": statistics.median(sample["rebuild_cpu_seconds"] or 0 for sample in each),
                "serve_cpu_seconds": _stop(server, cpu_before),
                "load_average": [round(load, 2) for load in os.getloadavg()],
                "serve_log_tail": output.read_text().splitlines()[-4:]}
    finally:
        if server.returncode is None:
            _stop(server, cpu_before)


# When the page in the tab began (performance.timeOrigin, ms since the epoch) and finished loading (ms after that),
# once it has finished.
LOADED = """async () => {
    const loaded = () => performance.getEntriesByType("navigation")[0]?.loadEventEnd || 0;
    while (!loaded()) await new Promise(resolve => setTimeout(resolve, 10));
    return [performance.timeOrigin, loaded()];
}"""
# An older serve (to compare with) gives no CPU time.
REBUILT = re.compile(r"^rebuilt .* in ([\d.]+) s(?: \(CPU ([\d.]+) s\))?$", re.MULTILINE)


def _rebuilds(log_path: Path) -> list[tuple[float, float | None]]:
    """The wall and CPU seconds of each rebuild serve reported so far, the first build included."""
    return [(float(wall), float(cpu) if cpu else None)
            for wall, cpu in REBUILT.findall(log_path.read_text(errors="replace"))]


def _stop(server: subprocess.Popen, cpu_before: float) -> float:
    """Stop serve; return the CPU time it used (user and system, its MkDocs included)."""
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    return cpu_seconds() - cpu_before
