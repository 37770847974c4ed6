"""Live preview: build once, serve site/ on loopback, rebuild what changed when content/, templates/ or docs/ change.

A preview rebuild runs the stages an editor looks at (validate, render, MkDocs) and leaves out the offline
bundle and the handouts, which nobody reads in a preview. MkDocs runs only for the languages whose input
changed: an edit to an English text rebuilds the English site alone, and a save that changes nothing in the
rendered Markdown rebuilds nothing.
"""
from __future__ import annotations

import functools
import hashlib
import http.server
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import jinja2
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .content import ContentErrors
from .pipeline import Layout, publish, validate
from .render import render
from .site import SiteBuildError, build_sites
from .templatecache import bytecode_cache

WATCHED = ("content", "templates", "docs")
QUIET_SECONDS = 0.15  # editors' tools save in bursts (temp file, rename); rebuild once the burst is over


def _fingerprint(paths: list[Path], *texts: str) -> str:
    """A digest of the files under paths (names and contents) and of texts."""
    digest = hashlib.sha256()
    for root in paths:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file():
                digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for text in texts:
        digest.update(text.encode() + b"\0")
    return digest.hexdigest()


class Preview:
    """The preview build, remembering what MkDocs last read for each language so that it skips the others."""

    def __init__(self, layout: Layout):
        self.layout = layout
        self.built_inputs: dict[str, str] = {}  # language → fingerprint of its MkDocs input at the last build

    def mkdocs_input(self, lang: str, docs_dir: Path, settings: str) -> str:
        """Everything a language's MkDocs build reads: its Markdown, the abbreviations appended to every page,
        the theme, the base configuration and the guide settings it is derived from."""
        project = self.layout.project
        return _fingerprint([docs_dir, docs_dir.parent / f"abbreviations.{lang}.md", project / "templates" / "theme",
                             project / "mkdocs.yml"], settings)

    def rebuild(self) -> list[str]:
        """Validate and render everything (a few hundredths of a second), then run MkDocs for the languages
        whose input changed and swap their folders into site/; returns those languages."""
        layout = self.layout
        guide, catalogue = validate(layout)
        rendered = render(guide, layout.project, layout.work_dir / "docs", bytecode_cache(layout.work_dir))
        settings = repr(guide.site) + repr(catalogue)
        inputs = {lang: self.mkdocs_input(lang, language.docs_dir, settings) for lang, language in rendered.items()}
        changed = {lang: language for lang, language in rendered.items()
                   if inputs[lang] != self.built_inputs.get(lang) or not (layout.site_dir / lang).is_dir()}
        if changed:
            staging = Path(tempfile.mkdtemp(prefix="preview-", dir=layout.work_dir))
            try:
                build_sites(guide, catalogue, changed, layout.project, layout.work_dir, staging / "site")
                layout.site_dir.mkdir(parents=True, exist_ok=True)
                for staged in (staging / "site").iterdir():
                    if staged.is_dir():
                        publish(staged, layout.site_dir / staged.name)
                    else:
                        os.replace(staged, layout.site_dir / staged.name)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        self.built_inputs.update({lang: inputs[lang] for lang in changed})
        return list(changed)


class _Rebuilder(FileSystemEventHandler):
    def __init__(self, layout: Layout):
        self.preview = Preview(layout)
        self.changed = threading.Event()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("created", "modified", "deleted", "moved") and not event.is_directory:
            self.changed.set()

    def rebuild(self) -> None:
        start = time.perf_counter()
        try:
            languages = self.preview.rebuild()
            what = ", ".join(languages) if languages else "nothing (no page changed)"
            print(f"rebuilt {what} in {time.perf_counter() - start:.2f} s", flush=True)
        except ContentErrors as errors:
            for error in errors.errors:
                print(error, file=sys.stderr)
            print("content errors: the preview still shows the last good build", file=sys.stderr, flush=True)
        except SiteBuildError as error:
            print(f"error: {error}", file=sys.stderr, flush=True)
        except jinja2.TemplateSyntaxError as error:  # a template being edited: report it, keep serving
            print(f"{error.filename}:{error.lineno}: template error: {error.message}", file=sys.stderr, flush=True)
        except jinja2.TemplateError as error:
            print(f"template error: {error}", file=sys.stderr, flush=True)


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
