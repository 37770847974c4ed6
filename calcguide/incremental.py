"""The live preview's memory between rebuilds: what lets a save rebuild only the pages it changes.

The preview (calcguide/serve.py) runs the preview stages of calcguide/pipeline.py with a `LiveState`. Its output
is not a fresh staging folder but `LiveState.folder`, kept from one rebuild to the next, so that MkDocs can build
*dirty*: it rebuilds a page only when the page's Markdown is newer than the page's HTML. A page whose Markdown
did not change may still change through its content fragments (calcguide/placeholders.py: the Markdown holds
placeholders, the texts are in the fragments file), so the pages whose fragment table changed are touched first:
the swap plugin then reads this rebuild's fragments for them. Whatever shapes every page at once (the
navigation, the theme, docs/, mkdocs.yml, the guide's settings) is fingerprinted: when it changes, or after a
failed rebuild, the language is built whole again.

MkDocs' search plugin, in a dirty build, indexes the rebuilt pages only; their sections replace the same pages'
sections in the index of the last good build (`patch_index`), which is kept here as MkDocs wrote it. Once every
stage has passed, the changed files are copied into the served folder (`sync`), so a failed rebuild leaves the
served site as it was.
"""
from __future__ import annotations

import copy
import filecmp
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .content.loader import DocumentCache
from .pages import RenderedLanguage
from .site import fingerprint


@dataclass
class LiveState:
    """What the preview remembers of its last good build, per language."""

    folder: Path  # the stages' output, kept between rebuilds (its site/ is MkDocs' site_dir of each language)
    shapes: dict[str, str] = field(default_factory=dict)  # what shapes every page (`page_shape`), last built
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)  # each page's fragments, last built
    indexes: dict[str, dict] = field(default_factory=dict)  # MkDocs' search index, as it wrote it, last built
    # In this rebuild: the languages built dirty, and the pages (docs paths) MkDocs rebuilt in each.
    dirty: dict[str, bool] = field(default_factory=dict)
    rebuilt: dict[str, list[str]] = field(default_factory=dict)
    good: bool = False  # the last rebuild passed every stage (else the next one builds everything)
    # Each content file read and validated, by its bytes: a save reads again only the file it changed.
    documents: DocumentCache = field(default_factory=DocumentCache)

    @property
    def site(self) -> Path:
        return self.folder / "site"


def page_shape(project: Path, language: RenderedLanguage, settings: str) -> str:
    """A digest of what every page of a language shows around its own text: a change rebuilds every page."""
    return fingerprint([project / "templates" / "theme", project / "mkdocs.yml", project / "docs"],
                       repr(language.nav), repr(language.not_in_nav), settings)


def html_path(markdown_path: str) -> str:
    return markdown_path.removesuffix(".md") + ".html"


def pages_to_rebuild(live: LiveState, language: RenderedLanguage, dirty: bool) -> list[str]:
    """The pages (docs paths) MkDocs will build: all of them, or in a dirty build those whose HTML is older than
    this render: their Markdown changed, or their fragments did (then their Markdown is touched, so that MkDocs'
    dirty build sees it)."""
    lang = language.lang
    tables = json.loads(language.fragments.read_text(encoding="utf-8")) if language.fragments else {}
    before, live.tables[lang] = live.tables.get(lang, {}), tables
    if not dirty:
        return [page.paths[lang] for page in language.pages]
    site = live.site / lang
    changed = []
    for page in language.pages:
        path = page.paths[lang]
        source, built = language.docs_dir / path, site / html_path(path)
        if tables.get(path) != before.get(path):
            os.utime(source)  # now: newer than its HTML
        if not built.is_file() or built.stat().st_mtime < source.stat().st_mtime:
            changed.append(path)
    return changed


def patch_index(live: LiveState, lang: str, written: dict) -> dict:
    """The full index of the language: MkDocs' index of the rebuilt pages (`written`, a dirty build's) in place of
    those pages' sections in the last good build's index; remembered for the next rebuild."""
    if live.dirty.get(lang) and lang in live.indexes:
        rebuilt = {html_path(path) for path in live.rebuilt[lang]}
        fresh: dict[str, list[dict]] = {}
        for document in written["docs"]:
            fresh.setdefault(document["location"].split("#")[0], []).append(document)
        docs = []
        for document in live.indexes[lang]["docs"]:
            page = document["location"].split("#")[0]
            if page not in rebuilt:
                docs.append(document)
            elif page in fresh:
                docs += fresh.pop(page)  # the page's new sections, where its old ones were
        docs += [document for documents in fresh.values() for document in documents]
        written = {**written, "docs": docs}
    live.indexes[lang] = copy.deepcopy(written)
    return written


def sync(source: Path, target: Path) -> list[Path]:
    """Make target hold exactly source's files, copying only those that differ; return the files copied."""
    copied = []
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(exist_ok=True)
        elif not destination.is_file() or not filecmp.cmp(path, destination, shallow=False):
            temporary = destination.with_name(destination.name + ".incoming")
            shutil.copyfile(path, temporary)
            os.replace(temporary, destination)  # a reader gets the old file or the new one, never half of one
            copied.append(destination)
    for path in sorted(target.rglob("*"), reverse=True):
        if not (source / path.relative_to(target)).exists():
            path.unlink() if path.is_file() or path.is_symlink() else shutil.rmtree(path)
    return copied
