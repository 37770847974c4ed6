"""Live preview: from saving a treatment file to the open browser tab showing the edit, reloaded by itself."""
from __future__ import annotations

import statistics
import subprocess
import time
import urllib.request
from contextlib import ExitStack
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


def measure_preview(content: Path, root: Path, edits: int) -> dict[str, Any]:
    """Start `build.py serve`, open a treatment page in a tab per language, then save edits of that treatment's
    summary (English and French in turn) and time each save until the tab, reloaded by the server's live-reload
    script, shows the new text."""
    port = free_port()
    root.mkdir(parents=True, exist_ok=True)
    output = root / "serve.log"
    with output.open("w") as log_file:
        server = subprocess.Popen([*build_command(content, root, "serve"), "--port", str(port)],
                                  stdout=log_file, stderr=subprocess.STDOUT, env=ENV, cwd=PROJECT)
    try:
        origin = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(f"{origin}/en/index.html"), 300, "the first build of `build.py serve`", 0.1)
        source = sorted((content / "treatments").glob("*.yml"))[0]
        samples: dict[str, list[float]] = {lang: [] for lang in LANGS}
        with chromium() as browser, ExitStack() as stack:
            tabs = {}
            for lang in LANGS:
                page_path = next((root / "site" / lang).rglob(f"{source.stem}.html")).relative_to(root / "site")
                tab, _ = stack.enter_context(local_tab(browser, origin))
                tab.goto(f"{origin}/{page_path.as_posix()}")
                tabs[lang] = tab
            for edit in range(edits):
                lang = LANGS[edit % len(LANGS)]
                marker = f"benchmark{edit}edit{time.time_ns() % 100000}"
                data = yaml.safe_load(source.read_text(encoding="utf-8"))
                data["summary"][lang] = data["summary"][lang].split(" benchmark")[0] + f" {marker}."
                text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
                start = time.perf_counter()
                source.write_text(text, encoding="utf-8")
                tabs[lang].get_by_text(marker).wait_for(timeout=60_000)
                samples[lang].append(time.perf_counter() - start)
                log(f"    edit {edit + 1}/{edits} ({lang}): {samples[lang][-1]:.2f} s")
                tabs[lang].wait_for_load_state("load")
        every = [seconds for times in samples.values() for seconds in times]
        if not every:
            raise BenchError("no edit was timed")
        return {"edits": len(every), "median_seconds": statistics.median(every), "max_seconds": max(every),
                "samples": samples, "serve_log_tail": output.read_text().splitlines()[-4:]}
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
