"""Benchmark of the build, the live preview and the pages, against bare MkDocs; `make bench` runs it.

    .venv/bin/python bench/run.py                  the full benchmark (median of 5 builds, ×1 ×10 ×50 content)
    .venv/bin/python bench/run.py --quick          one repetition, ×1 content only, a few pages: a smoke run

It prints a table with the targets of issue 8 and writes bench/results.json (or --output). Everything it builds
goes into a temporary folder; content/ is only read. Builds run through `build.py` in a subprocess, so a figure
includes the interpreter start and imports, as an editor's `make site` does; the bare MkDocs figure runs
`python -m mkdocs build` on the per-language configurations that same build wrote, one process per language.
"""
from __future__ import annotations

import argparse
import gzip
import http.server
import io
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

PROJECT = Path(__file__).resolve().parents[1]
BUILD_PY = PROJECT / "build.py"
DEFAULT_OUTPUT = PROJECT / "bench" / "results.json"
LANGS = ("en", "fr")
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
# build.py prints one `stage    1.23 s` line per pipeline stage (Timings.report).
STAGE_LINE = re.compile(r"^([\w\[\]]+)\s+([\d.]+) s$", re.MULTILINE)
# Text types a web server compresses; images and fonts are already compressed.
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map")


@dataclass(frozen=True)
class Target:
    """One target of issue 8: where its figure is in the results, and the limit it must not exceed."""

    name: str
    path: tuple[str, ...]
    limit: float
    unit: str


TARGETS = [
    Target("full build / bare MkDocs (×1)", ("build", "x1", "ratio"), 1.5, "×"),
    Target("validate + render share of the build (×1)", ("build", "x1", "validate_render_share"), 0.10, ""),
    Target("×50 content: build time growth", ("scaling", "growth_x50", "guide"), 50, "×"),
    Target("edit → updated page in serve", ("preview", "median_seconds"), 1.5, "s"),
    Target("offline zip", ("weight", "zip_bytes"), 1_000_000, "B"),
    Target("first view of a page, compressed (largest)", ("weight", "first_view_max_bytes"), 150_000, "B"),
    Target("search time per query (median, slower language)", ("search", "median_ms_max"), 100, "ms"),
]


class BenchError(Exception):
    pass


# --- builds ----------------------------------------------------------------------------------------------------


def synthetic_content(scale: int, target: Path) -> Path:
    """content/ copied to target, with every treatment cloned so that there are `scale` times as many."""
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


def guide_build(content: Path, root: Path) -> tuple[float, dict[str, float]]:
    """Wall time of `build.py` on content, and the time of each stage it reports."""
    command = [sys.executable, str(BUILD_PY), "--content", str(content), "--site-dir", str(root / "site"),
               "--dist-dir", str(root / "dist"), "--work-dir", str(root / "work")]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=ENV, cwd=PROJECT)
    wall = time.perf_counter() - start
    if done.returncode:
        raise BenchError(f"build.py failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return wall, {name: float(seconds) for name, seconds in STAGE_LINE.findall(done.stdout)}


def bare_mkdocs_build(work: Path, out: Path) -> float:
    """Wall time of plain `mkdocs build` on the Markdown and configurations the guide build left in work/."""
    start = time.perf_counter()
    for lang in LANGS:
        command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(work / f"mkdocs.{lang}.yml"),
                   "-d", str(out / lang)]
        done = subprocess.run(command, capture_output=True, text=True, env=ENV, cwd=PROJECT)
        if done.returncode:
            raise BenchError(f"bare mkdocs failed for {lang}:\n{done.stderr}")
    return time.perf_counter() - start


def measure_builds(content: Path, root: Path, repeat: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Guide build and bare MkDocs, interleaved (alternating which goes first), after a first build."""
    # The first build starts from an empty work folder (no compiled templates yet), as after `make clean`; it
    # also warms the disk cache and writes the configurations bare MkDocs needs.
    first_build, _ = guide_build(content, root)
    guide_times: list[float] = []
    bare_times: list[float] = []
    stages: dict[str, list[float]] = {}
    for run in range(repeat):
        for which in (("guide", "bare") if run % 2 == 0 else ("bare", "guide")):
            if which == "guide":
                wall, stage_times = guide_build(content, root)
                guide_times.append(wall)
                for name, seconds in stage_times.items():
                    stages.setdefault(name, []).append(seconds)
            else:
                bare_times.append(bare_mkdocs_build(root / "work", root / "bare"))
        log(f"    run {run + 1}/{repeat}: guide {guide_times[-1]:.2f} s, bare MkDocs {bare_times[-1]:.2f} s")
    guide, bare = statistics.median(guide_times), statistics.median(bare_times)
    stage_medians = {name: statistics.median(times) for name, times in stages.items()}
    return {
        "treatments": len(list((content / "treatments").glob("*.yml"))),
        "pages_per_language": len([p for p in (root / "site" / "en").rglob("*.html") if p.name != "404.html"]),
        "guide_first_build_seconds": first_build,
        "guide_seconds": guide,
        "bare_mkdocs_seconds": bare,
        "ratio": guide / bare,
        # The PDF handouts are printed by Chromium, work bare MkDocs does not do: the sites alone, for comparison.
        "ratio_without_pdf": (guide - stage_medians.get("pdf", 0.0)) / bare,
        "stages": stage_medians,
        "validate_render_share": (stage_medians.get("validate", 0) + stage_medians.get("render", 0)) / guide,
        "samples": {"guide": guide_times, "bare_mkdocs": bare_times},
    }


# --- live preview ----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.01) -> Any:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    raise BenchError(f"timed out after {timeout:.0f} s waiting for {what}")


def measure_preview(content: Path, root: Path, edits: int, log: Callable[[str], None]) -> dict[str, Any]:
    """Start `build.py serve`, then edit a treatment's summary (English and French in turn) and time how long
    each saved edit takes to show up in the page the server sends."""
    port = free_port()
    site = root / "site"
    command = [sys.executable, str(BUILD_PY), "serve", "--port", str(port), "--content", str(content),
               "--site-dir", str(site), "--dist-dir", str(root / "dist"), "--work-dir", str(root / "work")]
    root.mkdir(parents=True, exist_ok=True)
    output = root / "serve.log"
    with output.open("w") as log_file:
        server = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT, env=ENV, cwd=PROJECT)
    try:
        origin = f"http://127.0.0.1:{port}"
        wait_for(lambda: fetch(f"{origin}/en/index.html"), 180, "the first build of `build.py serve`", 0.1)
        source = sorted((content / "treatments").glob("*.yml"))[0]
        rebuilds = lambda: output.read_text().count("rebuilt")  # noqa: E731 - serve prints one line per rebuild
        samples: dict[str, list[float]] = {lang: [] for lang in LANGS}
        for edit in range(edits):
            lang = LANGS[edit % len(LANGS)]
            page = next((site / lang).rglob(f"{source.stem}.html")).relative_to(site).as_posix()
            marker = f"benchmark{edit}edit{time.time_ns() % 100000}"
            data = yaml.safe_load(source.read_text(encoding="utf-8"))
            data["summary"][lang] = data["summary"][lang].split(" benchmark")[0] + f" {marker}."
            before = rebuilds()
            text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
            start = time.perf_counter()
            source.write_text(text, encoding="utf-8")
            wait_for(lambda: marker in (fetch(f"{origin}/{page}") or ""), 60, f"the edit to show in {page}")
            samples[lang].append(time.perf_counter() - start)
            log(f"    edit {edit + 1}/{edits} ({lang}): {samples[lang][-1]:.2f} s")
            wait_for(lambda: rebuilds() > before, 60, "serve to finish its rebuild", 0.05)
            time.sleep(0.3)  # let the watcher settle before the next save
        every = [seconds for times in samples.values() for seconds in times]
        return {"edits": len(every), "median_seconds": statistics.median(every), "max_seconds": max(every),
                "samples": samples, "serve_log_tail": output.read_text().splitlines()[-6:]}
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


# --- page weight and search ------------------------------------------------------------------------------------


class _GzipHandler(http.server.SimpleHTTPRequestHandler):
    """A static server that gzips text as a production web server would (level 6) and counts the body bytes it
    sends: the browser does not report the size of what its search worker fetches, the server sees it all."""

    server: "_CountingServer"

    def log_message(self, *args: Any) -> None:
        pass

    def send_head(self):  # noqa: ANN201 - the stdlib's signature
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            return super().send_head()  # the stdlib's 404
        body = path.read_bytes()
        compress = path.suffix in COMPRESSIBLE and "gzip" in self.headers.get("Accept-Encoding", "")
        if compress:
            body = gzip.compress(body, compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        if compress:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.server.sent.append((self.path, len(body)))
        return io.BytesIO(body)


class _CountingServer(http.server.ThreadingHTTPServer):
    sent: list[tuple[str, int]]


@contextmanager
def gzip_server(folder: Path) -> Iterator[_CountingServer]:
    server = _CountingServer(("127.0.0.1", 0), partial(_GzipHandler, directory=str(folder)))
    server.sent = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()


def page_paths(site: Path, quick: bool) -> list[str]:
    pages = ["index.html"] + [p.relative_to(site).as_posix() for lang in LANGS
                              for p in sorted((site / lang).rglob("*.html")) if p.name != "404.html"]
    if quick:  # the language chooser, each home page and one treatment page per language
        treatments = [p for p in pages if p.count("/") == 2]
        pages = ["index.html", *(f"{lang}/index.html" for lang in LANGS), *treatments[:1]]
    return pages


def search_queries(site: Path, lang: str, count: int) -> list[str]:
    """Words of the page titles of the language's own search index, long enough not to be stop words, so that
    every query has results."""
    index = json.loads((site / lang / "search" / "search_index.json").read_text(encoding="utf-8"))
    words: list[str] = []
    for doc in index["docs"]:
        for word in re.findall(r"\w{6,}", doc["title"]):
            if word.lower() not in words:
                words.append(word.lower())
    return words[:count]


# Runs in the page: type a query into Material's search box and resolve once the results are painted, with the
# time it took in ms and the result count Material shows (null after 10 s without results).
TIME_QUERY_JS = """async (query) => {
  const input = document.querySelector(".md-search__input");
  const results = document.querySelector(".md-search-result");
  const meta = results.querySelector(".md-search-result__meta");
  const before = meta.textContent;
  const rendered = new Promise(resolve => {
    const observer = new MutationObserver(() => {
      if (results.querySelector(".md-search-result__item") || meta.textContent !== before) {
        observer.disconnect();
        requestAnimationFrame(() => resolve(performance.now()));
      }
    });
    observer.observe(results, {childList: true, subtree: true, characterData: true});
    setTimeout(() => resolve(null), 10000);
  });
  const start = performance.now();
  input.value = query;
  input.dispatchEvent(new KeyboardEvent("keyup", {key: query.slice(-1)}));
  const end = await rendered;
  return {ms: end === null ? null : end - start, shown: meta.textContent,
          items: results.querySelectorAll(".md-search-result__item").length};
}"""


def measure_pages(site: Path, dist: Path, quick: bool, queries: int, log: Callable[[str], None]) -> tuple[dict, dict]:
    sys.path.insert(0, str(PROJECT / "tests"))
    from browser import chromium, visit  # the tests' harness: Debian Chromium, outside requests refused

    pages = []
    search: dict[str, Any] = {}
    with gzip_server(site) as server, chromium() as browser:
        origin = f"http://127.0.0.1:{server.server_address[1]}"
        for path in page_paths(site, quick):
            with visit(browser, allowed_origin=origin) as view:
                server.sent.clear()
                view.page.goto(f"{origin}/{path}", wait_until="networkidle")
                view.page.wait_for_timeout(300)  # the search worker may still be fetching the index
                sent = list(server.sent)
                pages.append({"page": path, "html_bytes": (site / path).stat().st_size,
                              "first_view_compressed_bytes": sum(size for _, size in sent), "requests": len(sent),
                              "outside_requests": view.outside_requests})
        log(f"    {len(pages)} pages weighed")
        for lang in LANGS:
            with visit(browser, allowed_origin=origin, viewport={"width": 1280, "height": 900}) as view:
                view.page.goto(f"{origin}/{lang}/index.html", wait_until="networkidle")
                view.page.click(".md-search__input")
                words = search_queries(site, lang, queries + 1)
                # The first query waits for the worker to load the index; only the ones after it are timed.
                view.page.type(".md-search__input", words[0])
                view.page.wait_for_selector(".md-search-result__item", timeout=30_000)
                timed = [{"query": word, **view.page.evaluate(TIME_QUERY_JS, word)} for word in words[1:]]
                times = [query["ms"] for query in timed if query["ms"] is not None]
                search[lang] = {"queries": timed, "median_ms": statistics.median(times) if times else None}
        search["median_ms_max"] = max((search[lang]["median_ms"] or float("inf")) for lang in LANGS)
    weight = {
        "pages": pages,
        "first_view_max_bytes": max(page["first_view_compressed_bytes"] for page in pages),
        "first_view_median_bytes": statistics.median(page["first_view_compressed_bytes"] for page in pages),
        "html_max_bytes": max(page["html_bytes"] for page in pages),
        # Requests to anything but the page's own server (refused); a page should make none.
        "outside_requests": sorted({url for page in pages for url in page["outside_requests"]}),
        "zip_bytes": sum(path.stat().st_size for path in dist.glob("*.zip")),
        "search_index_bytes": {lang: (site / lang / "search" / "search_index.json").stat().st_size for lang in LANGS},
        "search_index_gzip_bytes": {
            lang: len(gzip.compress((site / lang / "search" / "search_index.json").read_bytes(), 6)) for lang in LANGS},
    }
    return weight, search


# --- report ----------------------------------------------------------------------------------------------------


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
        return f"{value / 1000:.0f} kB"
    if unit == "":
        return f"{value:.0%}"
    return f"{value:.2f} {unit}".rstrip()


def check_targets(results: dict) -> dict[str, Any]:
    checked = {}
    for target in TARGETS:
        value = lookup(results, target.path)
        checked[target.name] = {"value": value, "limit": target.limit, "unit": target.unit,
                                "met": None if value is None else value <= target.limit}
    return checked


def report(results: dict) -> str:
    lines = ["", "build (first: from an empty work folder; guide and bare MkDocs: median of %d)"
             % results["settings"]["repeat"],
             f"  {'content':<10}{'pages/lang':>11}{'first':>9}{'guide':>9}{'bare':>9}{'ratio':>8}   stages"]
    for scale, row in results["build"].items():
        stages = "  ".join(f"{name} {seconds:.2f}" for name, seconds in row["stages"].items())
        lines.append(f"  {scale:<10}{row['pages_per_language']:>11}{row['guide_first_build_seconds']:>8.2f}s"
                     f"{row['guide_seconds']:>8.2f}s"
                     f"{row['bare_mkdocs_seconds']:>8.2f}s{row['ratio']:>7.2f}×   {stages}")
    if weight := results.get("weight"):
        lines += ["", "pages (first view: every response body, gzip level 6, empty cache)"]
        for page in weight["pages"]:
            lines.append(f"  {page['page']:<48}{page['html_bytes'] / 1000:>7.0f} kB html"
                         f"{page['first_view_compressed_bytes'] / 1000:>7.0f} kB first view ({page['requests']} requests)")
        lines.append(f"  requests outside the site (refused): {', '.join(weight['outside_requests']) or 'none'}")
        lines.append("  search index: " + ", ".join(
            f"{lang} {weight['search_index_bytes'][lang] / 1000:.0f} kB ({weight['search_index_gzip_bytes'][lang] / 1000:.0f} kB gzip)"
            for lang in LANGS))
    lines += ["", f"  {'target':<50}{'value':>12}{'limit':>12}"]
    for name, target in results["targets"].items():
        status = {True: "ok", False: "MISSED", None: "not measured"}[target["met"]]
        lines.append(f"  {name:<50}{fmt(target['value'], target['unit']):>12}{fmt(target['limit'], target['unit']):>12}  {status}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="1 repetition, ×1 content, 2 edits, 4 pages, 3 queries")
    parser.add_argument("--repeat", type=int, help="builds per measurement (default 5; 1 with --quick)")
    parser.add_argument("--scales", help="comma-separated content scales (default 1,10,50; 1 with --quick)")
    parser.add_argument("--scale-repeat", type=int, help="builds per scale above ×1 (default: min(repeat, 3))")
    parser.add_argument("--edits", type=int, help="saved edits timed in serve (default 6; 2 with --quick)")
    parser.add_argument("--queries", type=int, help="search queries per language (default 10; 3 with --quick)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write the JSON results")
    args = parser.parse_args(argv)
    repeat = args.repeat or (1 if args.quick else 5)
    scales = [int(s) for s in (args.scales or ("1" if args.quick else "1,10,50")).split(",")]
    if 1 not in scales:
        scales.insert(0, 1)
    scale_repeat = args.scale_repeat or min(repeat, 3)
    edits = args.edits or (2 if args.quick else 6)
    queries = args.queries or (3 if args.quick else 10)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform(),
                    "load_average_at_start": list(os.getloadavg())},
        "settings": {"repeat": repeat, "scales": scales, "scale_repeat": scale_repeat, "edits": edits,
                     "queries": queries, "quick": args.quick},
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "build": {},
    }
    with tempfile.TemporaryDirectory(prefix="calcguide-bench-") as temp:
        temp_root = Path(temp)
        for scale in scales:
            log(f"build ×{scale}")
            content = synthetic_content(scale, temp_root / f"content-x{scale}")
            results["build"][f"x{scale}"] = measure_builds(content, temp_root / f"build-x{scale}",
                                                           repeat if scale == 1 else scale_repeat, log)
        base = results["build"]["x1"]
        results["scaling"] = {
            f"growth_x{scale}": {
                "guide": results["build"][f"x{scale}"]["guide_seconds"] / base["guide_seconds"],
                "bare_mkdocs": results["build"][f"x{scale}"]["bare_mkdocs_seconds"] / base["bare_mkdocs_seconds"],
            } for scale in scales if scale != 1
        }
        log("live preview")
        preview_content = synthetic_content(1, temp_root / "content-preview")
        results["preview"] = measure_preview(preview_content, temp_root / "preview", edits, log)
        log("page weight and search")
        built = temp_root / "build-x1"
        results["weight"], results["search"] = measure_pages(built / "site", built / "dist", args.quick, queries, log)
    results["targets"] = check_targets(results)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(report(results))
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
