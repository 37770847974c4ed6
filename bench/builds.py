"""Build measures: the full build (PDFs included) cold, warm (nothing changed: the up-to-date check), forced (nothing
changed, `--force`: every stage runs, with the work folder's caches warm) and after an edit, against bare MkDocs in
the same run; page weight per scale; zip compression levels; the ways to print the handouts."""
from __future__ import annotations

import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import yaml

from common import CHROMIUM, CHROMIUM_ARGS, LANGS, PROJECT, BenchError, chromium, guide_build, log, timed_run


def bare_mkdocs_build(work: Path, out: Path) -> tuple[float, float]:
    """Wall and CPU time of plain `mkdocs build`, one language after the other, on the Markdown and the
    per-language configurations that the guide build left in work/ (they inherit mkdocs.yml)."""
    wall = cpu = 0.0
    for lang in LANGS:
        seconds, cpu_time, done = timed_run([sys.executable, "-m", "mkdocs", "build", "-q", "-f",
                                             str(work / f"mkdocs.{lang}.yml"), "-d", str(out / lang)])
        if done.returncode:
            raise BenchError(f"bare mkdocs failed for {lang}:\n{done.stderr}")
        wall, cpu = wall + seconds, cpu + cpu_time
    return wall, cpu


def edit_a_treatment(content: Path, run: int) -> None:
    """What an editor does between two builds: change a treatment's summary in both languages."""
    source = sorted((content / "treatments").glob("*.yml"))[0]
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    for lang in LANGS:
        data["summary"][lang] = data["summary"][lang].split(" (bench")[0] + f" (bench {run})."
    source.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def page_weights(site: Path) -> dict[str, float]:
    sizes = [page.stat().st_size for lang in LANGS for page in (site / lang).rglob("*.html") if page.name != "404.html"]
    return {"html_median_bytes": statistics.median(sizes), "html_max_bytes": max(sizes),
            "site_bytes": sum(path.stat().st_size for path in site.rglob("*") if path.is_file())}


def measure_builds(content: Path, root: Path, repeat: int) -> dict[str, Any]:
    """Cold (empty work folder), warm (inputs unchanged: build.py finds site/ and dist/ up to date and stops),
    forced (inputs unchanged, `--force`: a build that runs every stage, its caches warm, the PDFs from the PDF
    cache), edited (a treatment changed: a build that runs) and bare MkDocs, in turns; the stages reported are
    those of the forced and the edited builds."""
    times: dict[str, list[float]] = {"cold": [], "warm": [], "forced": [], "edited": [], "bare": []}
    cpu: dict[str, list[float]] = {name: [] for name in times}
    stages: dict[str, list[float]] = {}
    forced_stages: dict[str, list[float]] = {}
    for run in range(repeat):
        shutil.rmtree(root / "work", ignore_errors=True)
        wall, _, cpu_time = guide_build(content, root)
        times["cold"].append(wall)
        cpu["cold"].append(cpu_time)
        # Bare MkDocs between the two builds that run; forced and warm follow a build of the same inputs.
        order = ("warm", "forced", "bare", "edited") if run % 2 == 0 else ("edited", "bare", "forced", "warm")
        for which in order:
            if which == "bare":
                wall, cpu_time = bare_mkdocs_build(root / "work", root / "bare")
                times["bare"].append(wall)
                cpu["bare"].append(cpu_time)
                continue
            if which == "edited":
                edit_a_treatment(content, run)
            wall, stage_times, cpu_time = guide_build(content, root, *(["--force"] if which == "forced" else []))
            times[which].append(wall)
            cpu[which].append(cpu_time)
            if which == "warm" and stage_times:
                raise BenchError("the warm build ran its stages: the up-to-date check missed (calcguide/uptodate.py)")
            if which in ("edited", "forced"):
                for name, seconds in stage_times.items():
                    (stages if which == "edited" else forced_stages).setdefault(name, []).append(seconds)
        log(f"    run {run + 1}/{repeat}: " + ", ".join(f"{name} {values[-1]:.2f} s" for name, values in times.items()))
    median = {name: statistics.median(values) for name, values in times.items()}
    median_cpu = {name: statistics.median(values) for name, values in cpu.items()}
    stage_medians = {name: statistics.median(values) for name, values in stages.items()}
    forced_stage_medians = {name: statistics.median(values) for name, values in forced_stages.items()}
    pages = len([p for p in (root / "site" / "en").rglob("*.html") if p.name != "404.html"])
    return {
        "treatments": len(list((content / "treatments").glob("*.yml"))),
        "pages_per_language": pages,
        "cold_seconds": median["cold"], "warm_seconds": median["warm"], "forced_seconds": median["forced"],
        "edited_seconds": median["edited"], "bare_mkdocs_seconds": median["bare"],
        "ratio_warm": median["warm"] / median["bare"], "ratio_forced": median["forced"] / median["bare"],
        "ratio_edited": median["edited"] / median["bare"],
        "ratio_cold": median["cold"] / median["bare"],
        "cpu_seconds": median_cpu,
        "cpu_ratio_warm": median_cpu["warm"] / median_cpu["bare"],
        "cpu_ratio_forced": median_cpu["forced"] / median_cpu["bare"],
        "cpu_ratio_edited": median_cpu["edited"] / median_cpu["bare"],
        "cpu_ratio_cold": median_cpu["cold"] / median_cpu["bare"],
        "stages": stage_medians, "forced_stages": forced_stage_medians,
        "mkdocs_seconds_per_page": stage_medians.get("mkdocs", 0) / (2 * pages),
        **page_weights(root / "site"),
        "samples": times, "cpu_samples": cpu,
    }


def measure_zip_levels(site: Path, levels: tuple[int, ...] = (1, 3, 5, 6, 7, 9), repeat: int = 3) -> dict[str, Any]:
    """Time and size of the offline zip of `site` at each compression level (best of `repeat`)."""
    files = [path for path in sorted(site.rglob("*")) if path.is_file()]
    rows = {}
    for level in levels:
        best, size = float("inf"), 0
        for _ in range(repeat):
            buffer = io.BytesIO()
            start = time.perf_counter()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
                for path in files:
                    archive.write(path, path.relative_to(site).as_posix())
            best, size = min(best, time.perf_counter() - start), len(buffer.getvalue())
        rows[str(level)] = {"seconds": best, "bytes": size}
    return rows


def measure_printing(pages: list[Path], repeat: int) -> dict[str, Any]:
    """Printing the two handout pages, browser start included: Playwright, `chromium --print-to-pdf` (one
    browser per page) and the build's own DevTools pipe (calcguide/cdp.py); medians of `repeat`, in turns."""
    sys.path.insert(0, str(PROJECT))
    from calcguide.cdp import Chromium
    from calcguide.handout import PRINT_OPTIONS

    out = Path(tempfile.mkdtemp(prefix="bench-pdf-"))

    def playwright() -> None:
        with chromium() as browser:
            page = browser.new_page()
            for source in pages:
                page.goto(source.as_uri())
                page.pdf(path=str(out / f"pw-{source.stem}.pdf"), format="A4", print_background=True,
                         prefer_css_page_size=True, tagged=True)

    def command_line() -> None:
        for source in pages:
            subprocess.run([CHROMIUM, "--headless", *CHROMIUM_ARGS, "--no-pdf-header-footer",
                            f"--print-to-pdf={out / f'cli-{source.stem}.pdf'}", source.as_uri()],
                           capture_output=True, check=True)

    def devtools_pipe() -> None:
        with Chromium(CHROMIUM, CHROMIUM_ARGS) as browser:
            for source in pages:
                browser.print_pdf(source, out / f"cdp-{source.stem}.pdf", PRINT_OPTIONS)

    ways = {"playwright": playwright, "chromium --print-to-pdf": command_line, "devtools pipe (build)": devtools_pipe}
    samples: dict[str, list[float]] = {name: [] for name in ways}
    for run in range(repeat):
        for name, way in (ways.items() if run % 2 == 0 else reversed(ways.items())):
            start = time.perf_counter()
            way()
            samples[name].append(time.perf_counter() - start)
    shutil.rmtree(out, ignore_errors=True)
    return {name: {"median_seconds": statistics.median(values), "samples": values} for name, values in samples.items()}
