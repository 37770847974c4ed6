"""Pages in a browser: what each page transfers on first view (through a loopback server that gzips), and how
long a search takes once the index is loaded."""
from __future__ import annotations

import gzip
import http.server
import os
import subprocess
import sys
import io
import json
import re
import statistics
import threading
import zipfile
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterator

from common import LANGS, PROJECT, BenchError, chromium, local_tab

# Each language's one search index, a script that sets __index (calcguide/search.py writes it).
INDEX = Path("search/search_index.js")


def read_index(language_site: Path) -> dict:
    source = (language_site / INDEX).read_text(encoding="ascii").strip()
    return json.loads(source.removeprefix("var __index = ").removesuffix(";"))

# Text types a web server compresses; images and fonts are already compressed.
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map")


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

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001 - socketserver's signature
        # Lighthouse closes connections mid-answer as it ends a run: not an error worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def gzip_server(folder: Path) -> Iterator[_CountingServer]:
    server = _CountingServer(("127.0.0.1", 0), partial(_GzipHandler, directory=str(folder)))
    server.sent = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()


def is_redirect_page(path: Path) -> bool:
    """The small page at a former address (content/moved.yml): a reader who opens it gets the page it names, so it
    is no first view of its own (the build's audit allows a refresh on these pages only)."""
    return b'http-equiv="refresh"' in path.read_bytes()[:2048]


def page_paths(site: Path, quick: bool) -> list[str]:
    pages = ["index.html"] + [p.relative_to(site).as_posix() for lang in LANGS
                              for p in sorted((site / lang).rglob("*.html"))
                              if p.name != "404.html" and not is_redirect_page(p)]
    if quick:  # the language chooser, each home page and one treatment page per language
        treatments = [p for p in pages if p.count("/") == 2]
        pages = ["index.html", *(f"{lang}/index.html" for lang in LANGS), *treatments[:1]]
    return pages


def search_queries(site: Path, lang: str, count: int) -> list[str]:
    """Words of the page titles of the language's own search index, long enough not to be stop words, so that
    every query has results."""
    index = read_index(site / lang)
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


def first_view(browser: Any, server: "_CountingServer", origin: str, path: str) -> dict[str, Any]:
    """What a first view of the page at path transfers, compressed: in all, and besides the page's own HTML."""
    with local_tab(browser, origin) as (tab, outside):
        server.sent.clear()
        tab.goto(f"{origin}/{path}", wait_until="networkidle")
        tab.wait_for_timeout(300)  # anything a script would still fetch (the search index loads on opening)
        sent = list(server.sent)
    return {"first_view_compressed_bytes": sum(size for _, size in sent),
            "besides_html_bytes": sum(size for address, size in sent if address.split("?")[0] != f"/{path}"),
            "requests": len(sent), "outside_requests": outside}


def bare_material_site(root: Path) -> Path:
    """A bare Material for MkDocs site (one short page, the theme's defaults, no web fonts as ours), the issue's
    yardstick for what a page loads besides its HTML."""
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "docs" / "index.md").write_text("# A page\n\nA paragraph of text.\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text("site_name: Bare Material\nuse_directory_urls: false\n"
                                     "theme: {name: material, font: false}\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / "mkdocs.yml"),
                           "-d", str(root / "site")], capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    if done.returncode:
        raise BenchError(f"bare Material build failed:\n{done.stderr}")
    return root / "site"


# Lighthouse (npm, pinned in package-lock.json) on the four pages of issue 25, with these Chromium flags and
# Lighthouse's defaults otherwise (mobile form factor, simulated throttling): bench/lighthouse.mjs. A score moves
# from run to run, more so on a loaded machine: `--runs N` takes the median of N runs of each page.
LIGHTHOUSE_FLAGS = "--headless=new --no-sandbox --disable-gpu"
LIGHTHOUSE_PAGES = (("home", "en"), ("algorithm", "fr"), ("treatment", "fr"), ("safety", "en"))


def lighthouse_paths(site: Path, quick: bool = False) -> dict[str, str]:
    """The pages Lighthouse scores; a quick run scores the first one only (Lighthouse is half a quick run's time,
    and tests/test_lighthouse.py scores all four for accessibility)."""
    from calcguide.catalogue import load_catalogue

    pages = load_catalogue(PROJECT / "templates").pages
    paths = {}
    for kind, lang in LIGHTHOUSE_PAGES[:1] if quick else LIGHTHOUSE_PAGES:
        slug = f"{pages['treatment'].slug[lang]}/diltiazem" if kind == "treatment" else pages[kind].slug[lang]
        paths[f"{kind} ({lang})"] = f"{lang}/{slug}.html"
    return {name: path for name, path in paths.items() if (site / path).is_file()}


def run_lighthouse(addresses: list[str], runs: int) -> dict[str, list[dict[str, Any]]]:
    """Every run of Lighthouse on each address (the runs in turns, one Chromium for all), by address."""
    done = subprocess.run(["node", str(PROJECT / "bench" / "lighthouse.mjs"), LIGHTHOUSE_FLAGS, str(runs), *addresses],
                          cwd=PROJECT, capture_output=True, text=True, timeout=1800 * runs,
                          env=os.environ | {"CHROME_PATH": "/usr/bin/chromium"})
    if done.returncode:
        raise BenchError(f"lighthouse failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _median_by_key(tables: list[dict[str, float]]) -> dict[str, float]:
    """Each key's median over the runs (0 in a run that did not report it), largest first."""
    keys = {key for table in tables for key in table}
    medians = {key: statistics.median(table.get(key, 0) for table in tables) for key in keys}
    return dict(sorted(medians.items(), key=lambda item: -item[1]))


def median_page(runs: list[dict[str, Any]], origin: str) -> dict[str, Any]:
    """One page's figures, each the median of its runs, with its main thread's work by category and by script
    (addresses relative to the site) and every run's score and blocking time."""
    return {"version": runs[0]["version"], "settings": runs[0]["settings"], "runs": len(runs),
            "performance": statistics.median(run["performance"] for run in runs),
            "total_blocking_time_ms": statistics.median(run["total_blocking_time_ms"] for run in runs),
            "largest_contentful_paint_ms": statistics.median(run["largest_contentful_paint_ms"] for run in runs),
            "main_thread_ms": _median_by_key([run["main_thread_ms"] for run in runs]),
            "scripts_ms": _median_by_key([{url.removeprefix(origin): ms for url, ms in run["scripts_ms"].items()}
                                          for run in runs]),
            "each_run": [{"performance": run["performance"], "total_blocking_time_ms": run["total_blocking_time_ms"],
                          "runtimeError": run["runtimeError"]} for run in runs]}


def lighthouse_summary(pages: dict[str, dict[str, Any]]) -> dict[str, Any]:
    first = next(iter(pages.values()))
    return {"version": first["version"], "chrome_flags": LIGHTHOUSE_FLAGS, "settings": first["settings"],
            "runs": first["runs"], "pages": pages,
            "performance_min": min(page["performance"] for page in pages.values()),
            "total_blocking_time_max_ms": max(page["total_blocking_time_ms"] for page in pages.values())}


def measure_lighthouse(origin: str, paths: dict[str, str], runs: int = 1) -> dict[str, Any]:
    addresses = {name: f"{origin}/{path}" for name, path in paths.items()}
    reports = run_lighthouse(list(addresses.values()), runs)
    return lighthouse_summary({name: median_page(reports[address], origin) for name, address in addresses.items()})


def measure_pages(site: Path, dist: Path, quick: bool, queries: int, log: Callable[[str], None],
                  bare_root: Path | None = None, lighthouse_runs: int = 1) -> tuple[dict, dict]:
    pages = []
    search: dict[str, Any] = {}
    bare = None
    if bare_root is not None:
        bare_site = bare_material_site(bare_root)
        with gzip_server(bare_site) as server, chromium() as browser:
            bare = first_view(browser, server, f"http://127.0.0.1:{server.server_address[1]}", "index.html")
    with gzip_server(site) as server, chromium() as browser:
        origin = f"http://127.0.0.1:{server.server_address[1]}"
        for path in page_paths(site, quick):
            pages.append({"page": path, "html_bytes": (site / path).stat().st_size,
                          **first_view(browser, server, origin, path)})
        log(f"    {len(pages)} pages weighed")
        for lang in LANGS:
            with local_tab(browser, origin, viewport={"width": 1280, "height": 900}) as (tab, _):
                tab.goto(f"{origin}/{lang}/index.html", wait_until="networkidle")
                # The index loads when the reader first opens search (calcguide/search_worker.js): from the click
                # to "type to start searching" (the worker's ready), then the first keystroke after that load
                # (target: answered within 300 ms, #24), then the others.
                meta = ".md-search-result__meta"
                initializing = tab.text_content(meta)
                start = tab.evaluate("performance.now()")
                tab.click(".md-search__input")
                tab.wait_for_function("([selector, text]) => document.querySelector(selector).textContent !== text",
                                      arg=[meta, initializing], timeout=30_000)
                loaded_ms = tab.evaluate("performance.now()") - start
                words = search_queries(site, lang, queries + 1)
                first = {"query": words[0], **tab.evaluate(TIME_QUERY_JS, words[0])}
                timed = [{"query": word, **tab.evaluate(TIME_QUERY_JS, word)} for word in words[1:]]
                times = [query["ms"] for query in timed if query["ms"] is not None]
                search[lang] = {"index_load_ms": loaded_ms, "first_query": first, "queries": timed,
                                "median_ms": statistics.median(times) if times else None}
        search["median_ms_max"] = max((search[lang]["median_ms"] or float("inf")) for lang in LANGS)
        search["first_query_ms_max"] = max((search[lang]["first_query"]["ms"] or float("inf")) for lang in LANGS)
        search["index_load_ms_max"] = max(search[lang]["index_load_ms"] for lang in LANGS)
        log("    lighthouse")
        lighthouse = measure_lighthouse(origin, lighthouse_paths(site, quick), lighthouse_runs)
    # Pages of the guide (the language chooser, a page of links only, is not one).
    guide_pages = [page for page in pages if page["page"] != "index.html"]
    besides = max(page["besides_html_bytes"] for page in guide_pages)
    weight = {
        "pages": pages,
        "lighthouse": lighthouse,
        "bare_material": bare,
        "besides_html_max_bytes": besides,
        "besides_html_vs_bare_material": besides / bare["besides_html_bytes"] if bare else None,
        "first_view_max_bytes": max(page["first_view_compressed_bytes"] for page in pages),
        "first_view_median_bytes": statistics.median(page["first_view_compressed_bytes"] for page in pages),
        "html_max_bytes": max(page["html_bytes"] for page in pages),
        # Requests to anything but the page's own server (refused); a page should make none.
        "outside_requests": sorted({url for page in pages for url in page["outside_requests"]}),
        "zip_bytes": sum(path.stat().st_size for path in dist.glob("*.zip")),
        # The budget counts the sites, as tests/test_offline.py does: the handouts are there by choice.
        "zip_sites_bytes": sum(info.compress_size for path in dist.glob("*.zip")
                               for info in zipfile.ZipFile(path).infolist() if not info.filename.endswith(".pdf")),
        "search_index_bytes": {lang: (site / lang / INDEX).stat().st_size for lang in LANGS},
        "search_index_gzip_bytes": {
            lang: len(gzip.compress((site / lang / INDEX).read_bytes(), 6)) for lang in LANGS},
    }
    return weight, search


def measure_sites(sites: list[Path], runs: int, log: Callable[[str], None], bare_root: Path) -> dict[str, Any]:
    """First views and Lighthouse of sites already built (main's and a branch's, say), side by side: what each page
    of each site loads besides its HTML against bare Material, and Lighthouse's median of `runs` on the four pages,
    the runs of all sites in turns so that the machine's load weighs on each alike."""
    with gzip_server(bare_material_site(bare_root)) as server, chromium() as browser:
        bare = first_view(browser, server, f"http://127.0.0.1:{server.server_address[1]}", "index.html")
    measured: dict[str, Any] = {}
    with ExitStack() as servers:
        origins = {}
        for site in sites:
            server = servers.enter_context(gzip_server(site))
            origins[site] = origin = f"http://127.0.0.1:{server.server_address[1]}"
            with chromium() as browser:
                besides = max(first_view(browser, server, origin, path)["besides_html_bytes"]
                              for path in page_paths(site, quick=False) if path != "index.html")
            measured[str(site)] = {"besides_html_max_bytes": besides,
                                   "besides_html_vs_bare_material": besides / bare["besides_html_bytes"]}
            log(f"    {site}: weighed")
        addresses = {(site, name): f"{origins[site]}/{path}" for site in sites
                     for name, path in lighthouse_paths(site).items()}
        log(f"    lighthouse: {len(addresses)} pages × {runs} runs")
        reports = run_lighthouse(list(addresses.values()), runs)
    for site in sites:
        measured[str(site)]["lighthouse"] = lighthouse_summary({
            name: median_page(reports[address], origins[site])
            for (of_site, name), address in addresses.items() if of_site == site})
    return {"bare_material": bare, "sites": measured}
