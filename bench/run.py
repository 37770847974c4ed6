"""Benchmark of the build, the live preview and the pages, against bare MkDocs; `make bench` runs it.

    .venv/bin/python bench/run.py            the full benchmark (×1 ×10 ×50 content, 10 edits in serve)
    .venv/bin/python bench/run.py --quick    one repetition, ×1 content only, a few pages, Lighthouse on one: a smoke run
    .venv/bin/python bench/run.py --only preview --edits 10
                                             the live preview alone: 10 saves in `build.py serve`, each
                                             timed to the reloaded tab (bench/preview.json)
    .venv/bin/python bench/run.py --only builds --repeat 5
                                             the ×1 builds alone, in turns (bench/builds.json)
    .venv/bin/python bench/run.py --runs 3 --site A/site --site B/site
                                             first views and Lighthouse only (median of 3 runs), of sites
                                             already built, side by side (e.g. main's and a branch's)

It prints a table with the targets of issues 17 and 25 (with the machine's load average at start and end: take
timing figures on a quiet machine, load < 1, or say the load) and writes bench/results.json (or --output). Everything it builds
goes into a temporary folder; content/ is only read. Builds run through `build.py` in a subprocess, so a figure
includes the interpreter start and imports, as an editor's `make site` does, and the PDF handouts: cold (empty
work folder, as in CI), warm (inputs unchanged: the up-to-date check, calcguide/uptodate.py, finds nothing to do),
forced (inputs unchanged, `--force`: every stage runs, with the work folder's caches warm and the PDFs from the PDF
cache) and after an edit of a treatment (a build that runs); the stages of the last two are reported. Bare MkDocs runs
`python -m mkdocs build` on the per-language configurations that same build wrote, one language after the other,
interleaved with the guide's builds in the same run.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builds import measure_builds, measure_printing, measure_zip_levels
from common import PROJECT, log, synthetic_content
from pages import measure_pages, measure_sites
from preview import measure_preview

DEFAULT_OUTPUT = PROJECT / "bench" / "results.json"
SITES_OUTPUT = PROJECT / "bench" / "sites.json"
PREVIEW_OUTPUT = PROJECT / "bench" / "preview.json"
BUILDS_OUTPUT = PROJECT / "bench" / "builds.json"


@dataclass(frozen=True)
class Target:
    """One target of issues 17 and 25: where its figure is in the results, and the bound it must keep."""

    name: str
    path: tuple[str, ...]
    limit: float | None  # the figure must not exceed it
    unit: str
    at_least: float | None = None  # or the figure must reach it (a score)

    @property
    def bound(self) -> float:
        return self.limit if self.limit is not None else self.at_least

    def met(self, value: float) -> bool:
        return value <= self.limit if self.limit is not None else value >= self.at_least


TARGETS = [
    Target("warm (up-to-date check) full build / bare MkDocs (×1)", ("build", "x1", "ratio_warm"), 1.0, "×"),
    Target("warm, stages run (--force, nothing changed) / bare MkDocs (×1)", ("build", "x1", "ratio_forced"), 1.0,
           "×"),
    Target("after editing a treatment / bare MkDocs (×1)", ("build", "x1", "ratio_edited"), 1.2, "×"),
    Target("cold full build / bare MkDocs (×1)", ("build", "x1", "ratio_cold"), 1.5, "×"),
    Target("×50 content: build time growth", ("scaling", "x50", "edited_growth"), 50, "×"),
    Target("×50 content: median page weight growth", ("scaling", "x50", "page_weight_growth"), 1.5, "×"),
    Target("edit → reloaded tab (median, 3 kinds of edit)", ("preview", "median_seconds"), 0.5, "s"),
    Target("offline zip without the handouts", ("weight", "zip_sites_bytes"), 1024 * 1024, "B"),
    Target("first view besides its HTML / bare Material", ("weight", "besides_html_vs_bare_material"), 1.2, "×"),
    Target("Lighthouse mobile performance (lowest page)", ("weight", "lighthouse", "performance_min"), None,
           "score", at_least=0.95),
    Target("Lighthouse total blocking time (highest page)", ("weight", "lighthouse", "total_blocking_time_max_ms"),
           150, "ms"),
    Target("search time per query (median, slower language)", ("search", "median_ms_max"), 100, "ms"),
    Target("first keystroke after the index loaded, answered (slower language)", ("search", "first_query_ms_max"),
           300, "ms"),
]


def lookup(results: dict, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(results, dict) or key not in results:
            return None
        results = results[key]
    return results


def fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "B":
        return f"{value / 1024:.0f} KiB"
    if unit == "score":
        return f"{value * 100:.0f}"
    if unit == "ms":
        return f"{value:.0f} ms"
    return f"{value:.2f} {unit}".rstrip()


def check_targets(results: dict) -> dict[str, Any]:
    checked = {}
    for target in TARGETS:
        value = lookup(results, target.path)
        checked[target.name] = {"value": value, "limit": target.bound, "unit": target.unit,
                                "kind": "at most" if target.limit is not None else "at least",
                                "met": None if value is None else target.met(value)}
    return checked


def lighthouse_lines(lighthouse: dict) -> list[str]:
    """Each page's score, blocking time and LCP (medians of the runs), then where its main thread spent its time:
    Lighthouse's categories and the scripts that took longest, so that a slow page names its cause."""
    lines = [f"Lighthouse {lighthouse['version']}, performance only, {lighthouse['settings']}, Chromium flags "
             f"{lighthouse['chrome_flags']!r}, median of {lighthouse.get('runs', 1)} run(s) (bench/lighthouse.mjs)"]
    for name, page in lighthouse["pages"].items():
        runs = " ".join(f"{run['performance'] * 100:.0f}/{run['total_blocking_time_ms']:.0f}"
                        for run in page.get("each_run", []))
        lines.append(f"  {name:<20} performance {page['performance'] * 100:.0f}, total blocking time "
                     f"{page['total_blocking_time_ms']:.0f} ms, LCP {page['largest_contentful_paint_ms']:.0f} ms"
                     + (f"   (runs, score/TBT: {runs})" if runs else ""))
        if main_thread := page.get("main_thread_ms"):
            lines.append(f"  {'':<20} main thread: " + ", ".join(f"{group} {ms:.0f}" for group, ms in
                                                                list(main_thread.items())[:5]) + " ms")
            lines.append(f"  {'':<20} scripts: " + ", ".join(f"{url} {ms:.0f}" for url, ms in
                                                            list(page["scripts_ms"].items())[:3]) + " ms")
    return lines


def sites_report(results: dict) -> str:
    bare = results["bare_material"]["besides_html_bytes"]
    lines = ["", f"{results['date']}, load average at start {results['machine']['load_average_at_start']}, "
             f"at end {results['machine']['load_average_at_end']}", "",
             f"bare Material: {bare / 1024:.1f} KiB besides its HTML (compressed)"]
    for site, measured in results["sites"].items():
        lines += ["", f"{site}: first view besides its HTML at most {measured['besides_html_max_bytes'] / 1024:.1f} KiB"
                  f" = {measured['besides_html_vs_bare_material']:.2f}× bare Material (target ≤ 1.2×)",
                  *lighthouse_lines(measured["lighthouse"])]
    return "\n".join(lines)


def report(results: dict) -> str:
    lines = [f"", f"{results['date']}, load average at start {results['machine']['load_average_at_start']}, "
             f"at end {results['machine']['load_average_at_end']}",
             "", "full build with PDFs (medians): cold = empty work folder, warm = unchanged (the up-to-date check), "
             "forced = unchanged, --force (every stage runs), edited = a treatment changed; bare = two `mkdocs build`",
             f"  {'content':<8}{'pages/lang':>11}{'cold':>8}{'warm':>8}{'forced':>8}{'edited':>8}{'bare':>8}"
             f"{'forced/bare':>12}{'html median':>13}   stages (edited)"]
    for scale, row in results["build"].items():
        stages = "  ".join(f"{name} {seconds:.2f}" for name, seconds in row["stages"].items())
        lines.append(f"  {scale:<8}{row['pages_per_language']:>11}{row['cold_seconds']:>7.2f}s{row['warm_seconds']:>7.2f}s"
                     f"{row['forced_seconds']:>7.2f}s{row['edited_seconds']:>7.2f}s{row['bare_mkdocs_seconds']:>7.2f}s"
                     f"{row['ratio_forced']:>11.2f}×{row['html_median_bytes'] / 1000:>10.0f} kB   {stages}")
        if cpu := row.get("cpu_seconds"):  # CPU time: what the other jobs on a shared machine do not inflate
            lines.append(f"  {'  (CPU)':<19}{cpu['cold']:>7.2f}s{cpu['warm']:>7.2f}s{cpu['forced']:>7.2f}s"
                         f"{cpu['edited']:>7.2f}s{cpu['bare']:>7.2f}s{row['cpu_ratio_forced']:>11.2f}×")
        if forced := row.get("forced_stages"):
            lines.append(f"  {'':<27}stages (forced)  " + "  ".join(f"{name} {seconds:.2f}"
                                                                   for name, seconds in forced.items()))
    if zips := results.get("zip_levels"):
        lines += ["", "offline zip of the ×1 sites by compression level (best of 3)"]
        lines += [f"  level {level}: {row['seconds']:.3f} s, {row['bytes'] / 1000:.0f} kB" for level, row in zips.items()]
    if printing := results.get("printing"):
        lines += ["", "printing both handouts, browser start included (median)"]
        lines += [f"  {name:<28}{row['median_seconds']:.2f} s" for name, row in printing.items()]
    if lighthouse := results.get("weight", {}).get("lighthouse"):
        lines += ["", *lighthouse_lines(lighthouse)]
    if bare := results.get("weight", {}).get("bare_material"):
        lines += ["", f"first view besides its HTML (compressed): ours at most "
                  f"{results['weight']['besides_html_max_bytes'] / 1024:.1f} KiB, bare Material "
                  f"{bare['besides_html_bytes'] / 1024:.1f} KiB"]
    lines += ["", f"  {'target':<66}{'value':>12}{'limit':>18}"]
    for name, target in results["targets"].items():
        status = {True: "ok", False: "MISSED", None: "not measured"}[target["met"]]
        limit = f"{target.get('kind', 'at most')} {fmt(target['limit'], target['unit'])}"
        lines.append(f"  {name:<66}{fmt(target['value'], target['unit']):>12}{limit:>18}  {status}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 repetition, ×1 content, 2 edits, 4 pages, 3 queries, Lighthouse on 1 page")
    parser.add_argument("--repeat", type=int, help="builds per measurement at ×1 (default 5; 1 with --quick)")
    parser.add_argument("--scales", help="comma-separated content scales (default 1,10,50; 1 with --quick)")
    parser.add_argument("--scale-repeat", type=int, help="builds per scale above ×1 (default 1)")
    parser.add_argument("--edits", type=int, help="saved edits timed in serve (default 10; 2 with --quick)")
    parser.add_argument("--queries", type=int, help="search queries per language (default 10; 3 with --quick)")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page, their median reported")
    parser.add_argument("--site", type=Path, action="append", dest="sites",
                        help="a site folder already built (repeat for several): first views and Lighthouse only")
    parser.add_argument("--only", choices=["preview", "builds"],
                        help="run one part alone: `preview` times the edits in serve (--edits, default 10), "
                             f"written to {PREVIEW_OUTPUT}; `builds` the ×1 builds (--repeat, default 5), "
                             f"written to {BUILDS_OUTPUT}")
    parser.add_argument("--output", type=Path, help=f"where to write the JSON results (default {DEFAULT_OUTPUT}, "
                                                     f"or {SITES_OUTPUT} with --site)")
    args = parser.parse_args(argv)
    if args.sites:
        return compare_sites(args.sites, args.runs, args.output or SITES_OUTPUT)
    if args.only == "preview":
        return preview_only(args.edits or (2 if args.quick else 10), args.output or PREVIEW_OUTPUT)
    if args.only == "builds":
        return builds_only(args.repeat or (1 if args.quick else 5), args.output or BUILDS_OUTPUT)
    repeat = args.repeat or (1 if args.quick else 5)
    scales = [int(s) for s in (args.scales or ("1" if args.quick else "1,10,50")).split(",")]
    if 1 not in scales:
        scales.insert(0, 1)
    scale_repeat = args.scale_repeat or 1
    edits = args.edits or (2 if args.quick else 10)
    queries = args.queries or (3 if args.quick else 10)

    results: dict[str, Any] = {
        "machine": machine(),
        "settings": {"repeat": repeat, "scales": scales, "scale_repeat": scale_repeat, "edits": edits,
                     "queries": queries, "quick": args.quick, "lighthouse_runs": args.runs},
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "build": {},
    }
    with tempfile.TemporaryDirectory(prefix="calcguide-bench-") as temp:
        temp_root = Path(temp)
        for scale in scales:
            log(f"build ×{scale}")
            content = synthetic_content(scale, temp_root / f"content-x{scale}")
            results["build"][f"x{scale}"] = measure_builds(content, temp_root / f"build-x{scale}",
                                                           repeat if scale == 1 else scale_repeat)
        base = results["build"]["x1"]
        results["scaling"] = {f"x{scale}": {
            "edited_growth": results["build"][f"x{scale}"]["edited_seconds"] / base["edited_seconds"],
            "bare_mkdocs_growth": results["build"][f"x{scale}"]["bare_mkdocs_seconds"] / base["bare_mkdocs_seconds"],
            "page_weight_growth": results["build"][f"x{scale}"]["html_median_bytes"] / base["html_median_bytes"],
        } for scale in scales if scale != 1}
        built = temp_root / "build-x1"
        log("zip levels")
        results["zip_levels"] = measure_zip_levels(built / "site")
        log("printing the handouts")
        results["printing"] = measure_printing(sorted((built / "work" / "handouts").glob("handout-*.html")),
                                               1 if args.quick else 5)
        log("live preview")
        results["preview"] = measure_preview(synthetic_content(1, temp_root / "content-preview"),
                                             temp_root / "preview", edits)
        log("page weight and search")
        results["weight"], results["search"] = measure_pages(built / "site", built / "dist", args.quick, queries, log,
                                                             temp_root / "bare-material", args.runs)
    results["machine"]["load_average_at_end"] = [round(load, 2) for load in os.getloadavg()]
    results["targets"] = check_targets(results)
    write(results, args.output or DEFAULT_OUTPUT, report(results))
    return 0


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform(),
            "load_average_at_start": [round(load, 2) for load in os.getloadavg()]}


def compare_sites(sites: list[Path], runs: int, output: Path) -> int:
    """--site: first views and Lighthouse of built sites, nothing built."""
    missing = [str(site) for site in sites if not (site / "en" / "index.html").is_file()]
    if missing:
        print(f"not a built site (no en/index.html): {', '.join(missing)}", file=sys.stderr)
        return 2
    results: dict[str, Any] = {"machine": machine(), "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "runs": runs}
    with tempfile.TemporaryDirectory(prefix="calcguide-bench-") as temp:
        results.update(measure_sites([site.resolve() for site in sites], runs, log, Path(temp) / "bare-material"))
    results["machine"]["load_average_at_end"] = [round(load, 2) for load in os.getloadavg()]
    write(results, output, sites_report(results))
    return 0


def preview_only(edits: int, output: Path) -> int:
    """--only preview: the edits in serve, nothing else built."""
    results: dict[str, Any] = {"machine": machine(), "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                               "settings": {"edits": edits}}
    with tempfile.TemporaryDirectory(prefix="calcguide-bench-") as temp:
        results["preview"] = measure_preview(synthetic_content(1, Path(temp) / "content-preview"),
                                             Path(temp) / "preview", edits)
    results["machine"]["load_average_at_end"] = [round(load, 2) for load in os.getloadavg()]
    results["targets"] = {name: target for name, target in check_targets(results).items()
                          if target["value"] is not None}
    write(results, output, preview_report(results))
    return 0


def builds_only(repeat: int, output: Path) -> int:
    """--only builds: the ×1 builds (cold, warm, forced, edited, bare MkDocs, in turns), nothing else measured."""
    results: dict[str, Any] = {"machine": machine(), "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                               "settings": {"repeat": repeat}, "build": {}}
    with tempfile.TemporaryDirectory(prefix="calcguide-bench-") as temp:
        content = synthetic_content(1, Path(temp) / "content-x1")
        results["build"]["x1"] = measure_builds(content, Path(temp) / "build-x1", repeat)
    results["machine"]["load_average_at_end"] = [round(load, 2) for load in os.getloadavg()]
    results["targets"] = {name: target for name, target in check_targets(results).items()
                          if target["value"] is not None}
    write(results, output, report(results))
    return 0


def preview_report(results: dict) -> str:
    preview = results["preview"]
    lines = ["", f"{results['date']}, load average at start {results['machine']['load_average_at_start']}, "
             f"at end {results['machine']['load_average_at_end']}", "",
             f"edit → reloaded tab, {preview['edits']} edits: median {preview['median_seconds']:.2f} s, "
             f"max {preview['max_seconds']:.2f} s; by kind (median): "
             + ", ".join(f"{kind} {seconds:.2f} s" for kind, seconds in preview["by_kind"].items()),
             f"  serve's own rebuilds (median): {preview['rebuild_median_seconds']:.2f} s, CPU "
             f"{preview['rebuild_cpu_median_seconds']:.2f} s; CPU time of serve in all, first build included: "
             f"{preview['serve_cpu_seconds']:.2f} s"]
    lines += [f"  {sample['kind']:<10} {sample['lang']}  tab {sample['seconds']:.2f} s, rebuild "
              f"{sample['rebuild_seconds']:.2f} s (CPU {sample['rebuild_cpu_seconds'] or 0:.2f} s), found by Playwright at "
              f"{sample['seen_by_playwright_seconds']:.2f} s"
              for sample in preview["each"]]
    for name, target in results["targets"].items():
        lines.append(f"  {name}: {fmt(target['value'], target['unit'])} (at most {fmt(target['limit'], target['unit'])})"
                     f"  {'ok' if target['met'] else 'MISSED'}")
    return "\n".join(lines)


def write(results: dict, output: Path, printed: str) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(printed)
    print(f"\nwritten to {output}")


if __name__ == "__main__":
    sys.exit(main())
