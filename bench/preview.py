"""Live preview: from saving a content file (a treatment, a reference, the algorithm) to the open browser tab
showing the edit, reloaded by itself."""
from __future__ import annotations

import os
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from common import ENV, LANGS, PROJECT, BenchError, build_command, chromium, free_port, local_tab, log, wait_for


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


_ORIGINALS: dict[Path, str] = {}


def _edit_algorithm(content: Path, lang: str, marker: str) -> tuple[Path, str]:
    # Edited as text: algorithm.yml holds flow mappings with "?" in them, which the project's loader reads and
    # PyYAML does not. The marker goes at the end of the first node's detail in that language.
    source = content / "algorithm.yml"
    original = _ORIGINALS.setdefault(source, source.read_text(encoding="utf-8"))
    lines = original.split("\n")
    detail = next(number for number, line in enumerate(lines) if line.strip() == "detail:")
    line = next(number for number in range(detail + 1, len(lines)) if lines[number].strip().startswith(f"{lang}: "))
    lines[line] += f" {marker}."
    return source, "\n".join(lines)


EDITS = (("treatment", _edit_treatment), ("reference", _edit_reference), ("algorithm", _edit_algorithm))


def _page_of(kind: str, lang: str, content: Path) -> str:
    from calcguide.catalogue import load_catalogue

    pages = load_catalogue(PROJECT / "templates").pages
    if kind == "treatment":
        return f"{lang}/{pages['treatment'].slug[lang]}/{sorted((content / 'treatments').glob('*.yml'))[0].stem}.html"
    return f"{lang}/{pages['references' if kind == 'reference' else 'algorithm'].slug[lang]}.html"


def measure_preview(content: Path, root: Path, edits: int) -> dict[str, Any]:
    """Start `build.py serve`, then save edits of three kinds in turn (a treatment's text, a reference, the
    algorithm; English and French in turn), each with the page that shows it open in a tab, and time each save
    until the tab, reloaded by the server's live-reload script, shows the new text."""
    port = free_port()
    root.mkdir(parents=True, exist_ok=True)
    output = root / "serve.log"
    with output.open("w") as log_file:
        server = subprocess.Popen([*build_command(content, root, "serve"), "--port", str(port)],
                                  stdout=log_file, stderr=subprocess.STDOUT, env=ENV, cwd=PROJECT)
    try:
        origin = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(f"{origin}/en/index.html"), 300, "the first build of `build.py serve`", 0.1)
        samples: dict[str, list[float]] = {kind: [] for kind, _ in EDITS}
        by_language: dict[str, list[float]] = {lang: [] for lang in LANGS}
        with chromium() as browser, local_tab(browser, origin) as (tab, _):
            for edit in range(edits):
                kind, write = EDITS[edit % len(EDITS)]
                lang = LANGS[(edit // len(EDITS) + edit) % len(LANGS)]
                tab.goto(f"{origin}/{_page_of(kind, lang, content)}")
                tab.wait_for_load_state("load")
                marker = f"benchmark{edit}edit{time.time_ns() % 100000}"
                source, text = write(content, lang, marker)
                start = time.perf_counter()
                source.write_text(text, encoding="utf-8")
                tab.get_by_text(marker).first.wait_for(timeout=120_000)
                seconds = time.perf_counter() - start
                samples[kind].append(seconds)
                by_language[lang].append(seconds)
                log(f"    edit {edit + 1}/{edits} ({kind}, {lang}): {seconds:.2f} s")
        every = [seconds for times in samples.values() for seconds in times]
        if not every:
            raise BenchError("no edit was timed")
        return {"edits": len(every), "median_seconds": statistics.median(every), "max_seconds": max(every),
                "samples": by_language, "by_kind": {kind: statistics.median(times) for kind, times in samples.items()
                                                   if times},
                "load_average": [round(load, 2) for load in os.getloadavg()],
                "serve_log_tail": output.read_text().splitlines()[-4:]}
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
