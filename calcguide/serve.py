"""Live preview: build once, serve site/ on loopback, rebuild when content/, templates/ or docs/ change."""
from __future__ import annotations

import functools
import http.server
import sys
import threading
import time
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .content import ContentErrors
from .pipeline import Layout, Timings, build_everything
from .site import SiteBuildError

WATCHED = ("content", "templates", "docs")
QUIET_SECONDS = 0.15  # editors' tools save in bursts (temp file, rename); rebuild once the burst is over


class _Rebuilder(FileSystemEventHandler):
    def __init__(self, layout: Layout):
        self.layout = layout
        self.changed = threading.Event()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("created", "modified", "deleted", "moved") and not event.is_directory:
            self.changed.set()

    def rebuild(self) -> None:
        try:
            timings = build_everything(self.layout)
            total = sum(timings.stages.values())
            print(f"rebuilt in {total:.2f} s", flush=True)
        except ContentErrors as errors:
            for error in errors.errors:
                print(error, file=sys.stderr)
            print("content errors: the preview still shows the last good build", file=sys.stderr, flush=True)
        except SiteBuildError as error:
            print(f"error: {error}", file=sys.stderr, flush=True)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the stdlib's signature
        pass


def serve(layout: Layout, port: int) -> None:
    rebuilder = _Rebuilder(layout)
    rebuilder.rebuild()
    observer = Observer()
    for folder in WATCHED:
        observer.schedule(rebuilder, str(layout.content_dir if folder == "content" else layout.project / folder),
                          recursive=True)
    observer.start()
    handler = functools.partial(_QuietHandler, directory=str(layout.site_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving http://127.0.0.1:{port}/ — edit content/, templates/ or docs/; Ctrl-C stops", flush=True)
    try:
        while True:
            rebuilder.changed.wait()
            time.sleep(QUIET_SECONDS)
            rebuilder.changed.clear()
            rebuilder.rebuild()
    finally:
        observer.stop()
        server.shutdown()
