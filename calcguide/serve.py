"""Live preview: the preview stages of the pipeline, served by MkDocs' live-reload server, rerun on every save.

The preview runs `PREVIEW_STAGES` of calcguide/pipeline.py (no handouts, no offline bundle: nobody reads them in
a preview), and MkDocs only for the languages whose input changed: an edit to an English text rebuilds the English
site alone, and a save that changes no page rebuilds nothing. MkDocs' `LiveReloadServer` serves site/ and adds
its small polling script to each HTML page *as it sends it* (never to the files, so nothing of it ships); after
a rebuild every open tab reloads itself. A stage that fails, whatever the exception, is printed (located when
possible) and the last good site stays served; the next save that fixes it rebuilds as usual.
"""
from __future__ import annotations

import logging
import sys
import time
import traceback

from watchdog.events import FileCreatedEvent, FileDeletedEvent, FileModifiedEvent, FileMovedEvent
from watchdog.observers import Observer

from .failure import describe
from .incremental import LiveState
from .pipeline import PREVIEW_STAGES, Layout, Timings, run_stages

WATCHED = ("content", "templates", "docs")


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

    def rebuild(self) -> list[str]:
        """Run the preview stages; return the languages MkDocs rebuilt."""
        return run_stages(self.layout, PREVIEW_STAGES, Timings(), self.built_inputs, parallel=False,
                          live=self.live).built

    def rebuild_and_report(self, debug: bool = False) -> bool:
        """Rebuild, print what happened; never raises (an editor's mistake must not stop the preview)."""
        start = time.perf_counter()
        try:
            languages = self.rebuild()
        except Exception as error:  # noqa: BLE001 - any failure: report it and keep serving the last good site
            if debug:
                traceback.print_exc()
            for line in describe(error, self.layout.project):
                print(line, file=sys.stderr)
            print("the preview still shows the last good build; save a fix to rebuild", file=sys.stderr, flush=True)
            return False
        what = ", ".join(languages) if languages else "nothing (no page changed)"
        print(f"rebuilt {what} in {time.perf_counter() - start:.2f} s", flush=True)
        return True


def serve(layout: Layout, port: int, debug: bool = False) -> None:
    from mkdocs.livereload import LiveReloadServer

    preview = Preview(layout)
    preview.rebuild_and_report(debug)
    layout.site_dir.mkdir(parents=True, exist_ok=True)
    server = LiveReloadServer(builder=lambda: preview.rebuild_and_report(debug), host="127.0.0.1", port=port,
                              root=str(layout.site_dir))
    # The server polls the disk every half second by default; the system's file events are immediate.
    server.observer = _SavesOnly()
    server.build_delay = 0.05  # editors' tools save in bursts (temp file, rename): rebuild once the burst is over
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
