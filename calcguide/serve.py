"""Live preview: the preview stages of the pipeline, served by MkDocs' live-reload server, rerun on every save.

The preview runs `PREVIEW_STAGES` of calcguide/pipeline.py (no handouts, no offline bundle: nobody reads them in
a preview), and MkDocs only for the languages whose input changed: an edit to an English text rebuilds the English
site alone, and a save that changes no page rebuilds nothing. Within a language, only the pages the save changed
are rebuilt, and the search index is patched (calcguide/incremental.py). MkDocs' `LiveReloadServer` serves site/
and adds its small polling script to each HTML page *as it sends it* (never to the files, so nothing of it ships);
after a rebuild every open tab reloads itself. A stage that fails, whatever the exception, is printed (located
when possible), the last good site stays served, and every page it sends carries a notice with the located
messages (templates/preview-errors.html.j2) until a save fixes it.
"""
from __future__ import annotations

import logging
import re
import sys
import time
import traceback

import jinja2
from watchdog.events import FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent
from watchdog.observers import Observer

from .failure import describe
from .incremental import LiveState
from .pipeline import PREVIEW_STAGES, Layout, Timings, run_stages

WATCHED = ("content", "templates", "docs")
OVERLAY_TEMPLATE = "preview-errors.html.j2"
HASHED_NAME = re.compile(r"\.[0-9a-f]{8}\.min\.(?:js|css)$")  # Material's built assets: main.57a0d79d.min.css


class _SavesOnly(Observer):
    """The system's file events, limited to what a save does: the build reads the watched files, and an
    `opened` or `closed` event for each would start another rebuild, forever."""

    def schedule(self, event_handler, path, *, recursive=False, event_filter=None):  # noqa: ANN001 - watchdog's
        return super().schedule(event_handler, path, recursive=recursive,
                                event_filter=[FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent])


class Preview:
    """The preview build, remembering what MkDocs last read for each language so that it skips the others."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.built_inputs: dict[str, str] = {}  # language → digest of its MkDocs input at the last build
        # The output kept between rebuilds, so that a save rebuilds only the pages it changes.
        self.live = LiveState(layout.work_dir / "live")
        self.errors: list[str] = []  # the last rebuild's mistakes, `file:line: field: message`; none once it passed
        self._overlay = jinja2.Environment(loader=jinja2.FileSystemLoader(layout.project / "templates"),
                                           autoescape=True, undefined=jinja2.StrictUndefined)

    def rebuild(self) -> list[str]:
        """Run the preview stages; return the languages MkDocs rebuilt."""
        return run_stages(self.layout, PREVIEW_STAGES, Timings(), self.built_inputs, parallel=False,
                          live=self.live).built

    def rebuild_and_report(self, debug: bool = False) -> bool:
        """Rebuild, print what happened; never raises (an editor's mistake must not stop the preview). While the
        last rebuild failed, `errors` holds its located messages, which every page served shows (`overlay`)."""
        start, cpu = time.perf_counter(), time.process_time()
        try:
            languages = self.rebuild()
        except Exception as error:  # noqa: BLE001 - any failure: report it and keep serving the last good site
            if debug:
                traceback.print_exc()
            self.errors = describe(error, self.layout.project)
            for line in self.errors:
                print(line, file=sys.stderr)
            print("the preview still shows the last good build; save a fix to rebuild", file=sys.stderr, flush=True)
            return False
        self.errors = []
        what = ", ".join(languages) if languages else "nothing (no page changed)"
        # The CPU time too: on a machine shared with other work, the wall time carries their load.
        print(f"rebuilt {what} in {time.perf_counter() - start:.2f} s (CPU {time.process_time() - cpu:.2f} s)",
              flush=True)
        return True

    def overlay(self) -> str:
        """The notice a page shows while the last rebuild failed (templates/preview-errors.html.j2), or nothing."""
        if not self.errors:
            return ""
        return self._overlay.get_template(OVERLAY_TEMPLATE).render(messages=self.errors)


def _preview_server(preview: Preview, **options):  # noqa: ANN202 - MkDocs' server (imported only here)
    from mkdocs.livereload import LiveReloadServer

    class PreviewServer(LiveReloadServer):
        """MkDocs' live-reload server, which after each rebuild reloads every open tab, good or failed: a page
        sent after a failed one carries the located messages (`Preview.overlay`), one sent after a good one not."""

        def serve_request(self, environ, start_response):  # noqa: ANN001, ANN202 - WSGI's
            # A theme file whose name holds its content's hash (main.57a0d79d.min.css) never changes under that
            # name: the tab, reloaded after each save, keeps it instead of loading and parsing it again. Every
            # other file (ours, the pages) is sent as before, and loaded again on each reload.
            if not HASHED_NAME.search(environ.get("PATH_INFO", "")):
                return super().serve_request(environ, start_response)

            def kept(status: str, headers: list[tuple[str, str]], exc_info=None):  # noqa: ANN001, ANN202 - WSGI's
                if status.startswith("200"):
                    headers = [*headers, ("Cache-Control", "max-age=31536000, immutable")]
                return start_response(status, headers, exc_info)

            return super().serve_request(environ, kept)

        def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
            content = super()._inject_js_into_html(content, epoch)
            if notice := preview.overlay():
                end = content.rfind(b"</body>")
                end = len(content) if end < 0 else end
                content = content[:end] + notice.encode("utf-8") + content[end:]
            return content

    return PreviewServer(**options)


def serve(layout: Layout, port: int, debug: bool = False) -> None:
    preview = Preview(layout)
    preview.rebuild_and_report(debug)
    layout.site_dir.mkdir(parents=True, exist_ok=True)
    server = _preview_server(preview, builder=lambda: preview.rebuild_and_report(debug), host="127.0.0.1", port=port,
                             root=str(layout.site_dir))
    # The server polls the disk every half second by default; the system's file events are immediate.
    server.observer = _SavesOnly()
    # Editors' tools save in bursts (a temporary file, then a rename, within a millisecond): rebuild once the burst
    # is over. A save that comes later than this starts one more rebuild, never a wrong one.
    server.build_delay = 0.02
    for folder in WATCHED:
        server.watch(str(layout.content_dir if folder == "content" else layout.project / folder))
    logging.getLogger("mkdocs.livereload").setLevel(logging.WARNING)
    print(f"serving http://127.0.0.1:{port}/ — edit content/, templates/ or docs/; Ctrl-C stops", flush=True)
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
