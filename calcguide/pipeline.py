"""The whole build as one ordered list of named stages, each a function of a `BuildContext`.

    validate → render → mkdocs (per language) → search → prune → chooser → audit → pdf → bundle → csp → publish

`build.py` runs them all; `build.py serve` runs the subset an editor looks at (`PREVIEW_STAGES`) from this same
list. Every stage prints its time. Nothing is written to site/ or dist/ before `publish`: the stages write into
a staging folder under the work folder, and a failed build leaves the previous output intact.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, Any, Callable

from .audit import check_search_index, check_site, inline_scripts
from .content import ContentErrors, Guide, load_guide
from .content.errors import placed_in
from .content.loader import DocumentCache
from .printbudget import budget_problems
from .reviewed import review_problems
from .content.regular import check_tree
from .csp import OurScripts, offline_policy, with_policy_meta, write_nginx_csp
from .failure import StageFailure, describe
from .deployment import PublishSettings
from .handout import copy_handouts, handout_keys, write_handouts
from .layout import Layout  # noqa: F401 - where the build reads and writes, named here too
from .incremental import LiveState, html_path, page_shape, pages_to_rebuild, patch_index, sync
from .package import SHIM, write_offline_bundle
from .publish import publish_together, recover, work_folder_lock
from .release import release_problems
from .catalogue import Catalogue, load_catalogue
from .pages import RenderedLanguage, plan_pages
from .redirects import (Redirect, moved_errors, plan_redirects, shared_address_errors, write_nginx_redirects,
                        write_redirect_pages)
from .keptcache import InputsSnapshot, KeptEntries
from .render import kept_fragments, render
from .search import MKDOCS_INDEX, enrich_search_index, kept_search_fields
from .site import build_language, docs_problems, mkdocs_input, prune_unused_assets, read_base_config, write_language_chooser
from .templatecache import bytecode_cache
from .verdicts import FILE as VERDICTS_FILE, Verdicts

# In the work folder, kept between full builds: calcguide/render.py's kept_fragments, calcguide/search.py's
# kept_search_fields.
FRAGMENTS_FILE = "fragments.json"
DOCUMENTS_FILE = "documents.pickle"  # calcguide/content/loader.py's DocumentCache.kept
SEARCH_FIELDS_FILE = "search-fields.json"


@dataclass
class Timings:
    stages: dict[str, float] = field(default_factory=dict)
    report: Callable[[str, float], None] = lambda name, seconds: None

    def record(self, name: str, seconds: float) -> None:
        self.stages[name] = seconds
        self.report(name, seconds)


@dataclass
class BuildContext:
    """What the stages share: where to read and write, and what the earlier stages produced."""

    layout: Layout
    staging: Path  # the stages write staging/site and staging/dist; `publish` moves them into place
    timings: Timings
    # The preview keeps, between rebuilds, a digest of what MkDocs read for each language, and builds only the
    # languages whose input changed; None (a full build) builds every language.
    previous_inputs: dict[str, str] | None = None
    guide: Guide | None = None
    catalogue: Catalogue | None = None
    rendered: dict[str, RenderedLanguage] = field(default_factory=dict)
    built: list[str] = field(default_factory=list)  # the languages MkDocs built in this run
    inputs: dict[str, str] = field(default_factory=dict)  # digests of what MkDocs read for them
    # One MkDocs process per language when there are cores for it. The preview builds one language after the
    # other in its own process: it runs server threads, and forking a process that has threads is unsafe.
    parallel: bool = True
    # Where the guide is published and whether this build is a release (build.py --public-url, --release).
    settings: PublishSettings = field(default_factory=PublishSettings)
    warn: Callable[[str], None] = lambda message: None
    work_lock: IO | None = None  # held until the publish has switched site/ and dist/ (calcguide/publish.py)
    # The preview's memory between rebuilds (calcguide/incremental.py): its output folder stays, MkDocs rebuilds
    # only the pages a save changed, the search index is patched. None: a build from nothing.
    live: LiveState | None = None
    # What reading each built page found, remembered between full builds (calcguide/verdicts.py).
    verdicts: Verdicts | None = None
    ours: OurScripts | None = None  # the inline scripts our templates write, rendered once per build
    # Each content text's fragment, remembered between full builds (calcguide/render.py's kept_fragments; the
    # preview keeps its own in memory).
    fragments: KeptEntries[list] | None = None
    # Each content file's reading and validation, likewise (calcguide/content/loader.py's DocumentCache.kept).
    documents: DocumentCache | None = None
    search_fields: KeptEntries[dict[str, str]] | None = None  # each section's, likewise (calcguide/search.py)
    handout_keys: KeptEntries[str] | None = None  # the printed pages' keys, likewise (calcguide/handout.py)
    # What every kept cache's salt is taken from: the inputs as the full build found them when it started
    # (calcguide/keptcache.py); None for the preview, which keeps its caches in memory.
    snapshot: InputsSnapshot | None = None
    # Given the staged site/ and dist/ of a full build just before they are swapped in (build.py reads what it
    # publishes there, for the up-to-date check).
    staged: Callable[[dict[str, Path]], None] = lambda folders: None

    @cached_property
    def base_config(self) -> dict[str, Any]:
        """mkdocs.yml as MkDocs reads it, read once per build (or preview rebuild: an `!ENV` tag may read another
        value), for the stages that derive from it."""
        return read_base_config(self.layout.project)

    @property
    def site(self) -> Path:
        return self.staging / "site"

    @property
    def dist(self) -> Path:
        return self.staging / "dist"


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[BuildContext], None]


def validate(layout: Layout, settings: PublishSettings | None = None,
             warn: Callable[[str], None] = lambda message: None,
             documents: DocumentCache | None = None,
             base_config: Callable[[], dict[str, Any]] | None = None) -> tuple[Guide, Catalogue]:
    """Content and interface strings, validated (also `build.py check`); docs/ and templates/ hold only regular
    files (a link to /proc/self/environ under docs/ would be copied into the site). Then what a public release
    still lacks (calcguide/release.py): errors in a release build (`settings.release`), warnings (`warn`) in an
    everyday one (none without `settings`). `documents`: the files read and validated by an earlier load (the
    preview's), read again only if they changed. `base_config`: gives mkdocs.yml as the build read it."""
    errors = check_tree(layout.project / "docs", "docs") + check_tree(layout.project / "templates", "templates")
    has_config = (layout.project / "mkdocs.yml").is_file()
    if errors or (errors := docs_problems(layout.project, base_config() if base_config and has_config else None)):
        raise ContentErrors(placed_in(errors, layout.project))
    # Each message names its file from where the editor stands (content/treatments/x.yml:12:5: …).
    try:
        guide = load_guide(layout.content_dir, lambda exception: warn(
            f"numbers differ between the languages on purpose: {exception}"), documents)
    except ContentErrors as mistakes:
        raise ContentErrors(placed_in(mistakes.errors, layout.content_dir)) from None
    try:
        catalogue = load_catalogue(layout.project / "templates", documents)
    except ContentErrors as mistakes:
        raise ContentErrors(placed_in(mistakes.errors, layout.project)) from None
    # A former address (moved.yml) leads to a page of this build and hides none, and the chapter's own address is
    # no other page's: the pages' addresses are known only with the catalogue's.
    pages = plan_pages(guide, catalogue)
    if errors := [*shared_address_errors(guide, pages, layout.content_dir),
                  *moved_errors(guide, pages, layout.content_dir)]:
        raise ContentErrors(placed_in(errors, layout.content_dir))
    if settings is not None:
        problems = placed_in(release_problems(guide, layout.content_dir, settings), layout.content_dir)
        if problems and settings.release:
            raise ContentErrors(problems)
        for problem in problems:
            warn(f"not ready for release: {problem.for_editor()}")
        # A page whose shown content changed while its date did not move (calcguide/reviewed.py).
        changed = placed_in(review_problems(guide, layout.content_dir, documents), layout.content_dir)
        if changed and settings.release:
            raise ContentErrors(changed)
        for problem in changed:
            warn(f"page changed since its review: {problem.for_editor()}")
    return guide, catalogue


def _validate(context: BuildContext) -> None:
    if live := context.live:  # the preview shows no release or review warnings: not worked out for it
        context.guide, context.catalogue = validate(context.layout, None, context.warn, live.documents,
                                                    lambda: context.base_config)
        return
    context.documents = DocumentCache.kept(context.layout.work_dir / DOCUMENTS_FILE, context.snapshot.salt())
    context.guide, context.catalogue = validate(context.layout, context.settings, context.warn, context.documents,
                                                lambda: context.base_config)


def _render(context: BuildContext) -> None:
    layout = context.layout
    if not context.live:
        context.fragments = kept_fragments(layout.work_dir / FRAGMENTS_FILE, context.snapshot)
    context.rendered = render(context.guide, context.catalogue, layout.project, layout.work_dir / "docs",
                              bytecode_cache(layout.work_dir), context.settings, context.fragments)


def _mkdocs(context: BuildContext) -> None:
    layout = context.layout
    languages = context.rendered
    settings = repr(context.guide.site) + repr(context.catalogue) + repr(context.settings.public_url)
    if context.previous_inputs is not None:
        inputs = {lang: mkdocs_input(layout.project, language, settings) for lang, language in languages.items()}
        languages = {lang: language for lang, language in languages.items()
                     if inputs[lang] != context.previous_inputs.get(lang) or not (layout.site_dir / lang).is_dir()}
        context.inputs = {lang: inputs[lang] for lang in languages}  # remembered once published
    dirty = {}
    if live := context.live:
        for lang, language in languages.items():
            shape = page_shape(layout.project, language, settings)
            dirty[lang] = live.good and live.shapes.get(lang) == shape and (context.site / lang).is_dir()
            live.shapes[lang], live.dirty[lang] = shape, dirty[lang]
            live.rebuilt[lang] = pages_to_rebuild(live, language, dirty[lang])
    jobs = {lang: (context.guide, context.catalogue, language, layout.project, layout.work_dir, context.site,
                   context.settings, dirty.get(lang, False), context.base_config)
            for lang, language in languages.items()}
    if context.parallel and len(jobs) > 1 and usable_cores() > 1:
        seconds = build_in_processes(jobs)
    else:
        seconds = {lang: _timed_build(*job) for lang, job in jobs.items()}
    for lang in jobs:
        context.timings.record(f"mkdocs[{lang}]", seconds[lang])
    context.built = list(languages)


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _timed_build(*job) -> float:  # noqa: ANN002 - build_language's arguments
    start = time.perf_counter()
    build_language(*job)
    return time.perf_counter() - start


def _timed_build_in_child(*job) -> float:  # noqa: ANN002 - build_language's arguments
    try:
        return _timed_build(*job)
    except Exception as error:  # noqa: BLE001 - told in the parent as it would be told here
        raise StageFailure(describe(error, job[3])) from None


def build_in_processes(jobs: dict[str, tuple]) -> dict[str, float]:
    """One MkDocs process per language, forked from this one (its imports and compiled templates are shared):
    the languages' sites are independent, and MkDocs uses one core."""
    import mkdocs.commands.build  # noqa: F401 - imported once, before the fork, for both children

    with ProcessPoolExecutor(max_workers=len(jobs), mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {lang: pool.submit(_timed_build_in_child, *job) for lang, job in jobs.items()}
        return {lang: future.result() for lang, future in futures.items()}


def _search(context: BuildContext) -> None:
    if not context.live:
        context.search_fields = kept_search_fields(context.layout.work_dir / SEARCH_FIELDS_FILE,
                                                   context.snapshot.salt())
    for lang in context.built:
        if context.live:  # the rebuilt pages' sections into the last build's index
            written = context.site / lang / MKDOCS_INDEX
            index = patch_index(context.live, lang, json.loads(written.read_text(encoding="utf-8")))
            written.write_text(json.dumps(index), encoding="utf-8")
        enrich_search_index(context.site / lang, context.guide, context.rendered[lang], context.catalogue,
                            context.search_fields)


def _prune(context: BuildContext) -> None:
    palette = bool(context.base_config["theme"].get("palette"))
    for lang in context.built:
        prune_unused_assets(context.site / lang, search_languages=[lang], palette=palette)


def _chooser(context: BuildContext) -> None:
    context.site.mkdir(parents=True, exist_ok=True)
    write_language_chooser(context.guide, context.catalogue, context.layout.project, context.site, context.settings)


def _redirects(context: BuildContext) -> None:
    # A page's former addresses (moved.yml) still open it: a small page at each, and the server's 301s.
    redirects = _planned_redirects(context)
    write_redirect_pages(redirects, context.built, context.layout.project, context.site, context.catalogue,
                         context.settings)
    if not context.live:
        context.dist.mkdir(parents=True, exist_ok=True)
        write_nginx_redirects(redirects, context.layout.project, context.dist)


def _planned_redirects(context: BuildContext) -> list[Redirect]:
    return plan_redirects(context.guide, plan_pages(context.guide, context.catalogue))


def _audit(context: BuildContext) -> None:
    # What was built, read back as a browser reads it: nothing hostile, whatever a template or a value did.
    folders = [context.site / lang for lang in context.built] + [context.site / "index.html"]
    redirects = {redirect.site_path: redirect.relative_target for redirect in _planned_redirects(context)
                 if redirect.lang in context.built}
    if context.live:  # what this rebuild wrote: the rebuilt pages and redirects (and the language's search index)
        folders = [context.site / "index.html"] + [
            context.site / lang / html_path(path) for lang in context.built for path in context.live.rebuilt[lang]
        ] + [context.site / path for path in redirects]
        check_search_index([context.site / lang for lang in context.built], context.site)
    check_site(folders, context.site, _our_scripts(context).allows, redirects, _verdicts(context))


def _our_scripts(context: BuildContext) -> OurScripts:
    if context.ours is None:
        project = context.layout.project
        context.ours = OurScripts.from_templates(project, context.base_config["theme"].get("features", []))
    return context.ours


def _verdicts(context: BuildContext) -> Verdicts | None:
    """The remembered verdicts of a full build (the preview checks the pages it rebuilt, and keeps none)."""
    if context.verdicts is None and not context.live:
        context.verdicts = Verdicts(context.layout.work_dir / VERDICTS_FILE, _our_scripts(context).key,
                                    context.snapshot.salt())
    return context.verdicts


def _scripts_of(context: BuildContext) -> Callable[[str], list[str]]:
    """The inline scripts of a page, read once per page's bytes across builds."""
    if (verdicts := _verdicts(context)) is None:
        return inline_scripts
    return lambda html: verdicts.remember("scripts", html, lambda: inline_scripts(html))


def _save_kept(context: BuildContext) -> None:
    """What the stages that ran worked out, for the next build: each entry is keyed by what shapes it, so even a
    failed build's entries are right; kept only when every input is still as the build's snapshot found it (else
    an entry may be made of inputs that no longer are, under their salt). Never raises: a cache that cannot be
    kept costs the next build its work, and must not replace this build's own outcome or message."""
    try:
        if context.snapshot is None or not context.snapshot.still_holds():
            return
        if context.verdicts is not None:
            context.verdicts.save()
        for kept in (context.fragments, context.search_fields, context.handout_keys):
            if kept is not None:
                kept.save()
        if context.documents is not None:
            context.documents.save(context.layout.work_dir / DOCUMENTS_FILE, context.snapshot.salt())
    except Exception:  # noqa: BLE001 - see above
        pass


def _pdf(context: BuildContext) -> None:
    layout = context.layout
    # The pages are made of the documents this build read (not of content/ as it is now), templates/, docs/, the
    # code and settings: their keys are remembered by those.
    read = context.documents.used_digest() if context.documents is not None else None
    pages_salt = context.snapshot.salt("templates", "docs", "mkdocs.yml", "settings", extra=read) if read else None
    context.handout_keys = handout_keys(layout.work_dir, pages_salt)
    write_handouts(context.guide, context.catalogue, layout.project, layout.work_dir, context.dist, context.settings,
                   context.fragments, context.handout_keys)
    copy_handouts(context.dist, context.site)  # every page links them, on the server as in the bundle
    # A printed product over its page budget: an error in a release, a located warning in an everyday build.
    problems = placed_in(budget_problems(context.guide, context.catalogue, context.dist, layout.content_dir,
                                         layout.work_dir / "printed-pages"), layout.content_dir)
    if problems and context.settings.release:
        raise ContentErrors(problems)
    for problem in problems:
        context.warn(f"over the print budget: {problem.for_editor()}")


def _bundle(context: BuildContext) -> None:
    # From file:// there is no server to send the policy: every page of the bundle carries it (calcguide/csp.py).
    ours, shim_path = _our_scripts(context), context.layout.project / SHIM
    shim = shim_path.read_text(encoding="utf-8") if shim_path.is_file() else None  # else the bundle says it
    scripts_of = _scripts_of(context)
    write_offline_bundle(context.guide, context.site, context.dist, shim_path,
                         lambda html: with_policy_meta(html, offline_policy(html, ours, shim, scripts_of)),
                         {redirect.site_path for redirect in _planned_redirects(context)})


def _csp(context: BuildContext) -> None:
    # The hosted site's policy allows exactly this build's inline scripts.
    write_nginx_csp(context.site, context.dist, _our_scripts(context), _scripts_of(context))


def _publish(context: BuildContext) -> None:
    layout = context.layout
    if context.live:
        sync(context.site, layout.site_dir)  # the files this rebuild changed, into the served folder
        context.previous_inputs.update(context.inputs)
        return
    if context.previous_inputs is None:
        context.staged({"site": context.site, "dist": context.dist})
        # Together or not at all: the CSP file in dist/ belongs to this site/ (calcguide/publish.py).
        publish_together([(context.site, layout.site_dir), (context.dist, layout.dist_dir)], context.work_lock)
        return
    # The preview rebuilt some languages only: swap those in, and the chooser.
    layout.site_dir.mkdir(parents=True, exist_ok=True)
    for lang in context.built:
        publish(context.site / lang, layout.site_dir / lang)
    os.replace(context.site / "index.html", layout.site_dir / "index.html")
    context.previous_inputs.update(context.inputs)


STAGES: tuple[Stage, ...] = (
    Stage("validate", _validate),
    Stage("render", _render),
    Stage("mkdocs", _mkdocs),
    Stage("search", _search),
    Stage("prune", _prune),
    Stage("chooser", _chooser),
    Stage("redirects", _redirects),
    Stage("audit", _audit),
    Stage("pdf", _pdf),
    Stage("bundle", _bundle),
    Stage("csp", _csp),
    Stage("publish", _publish),
)
# What `serve` runs: the pages an editor looks at; no handouts, no offline bundle, no server policy.
PREVIEW_STAGES = ("validate", "render", "mkdocs", "search", "prune", "chooser", "redirects", "audit", "publish")


def run_stages(layout: Layout, names: tuple[str, ...] | None = None, timings: Timings | None = None,
               previous_inputs: dict[str, str] | None = None, parallel: bool = True,
               settings: PublishSettings | None = None,
               warn: Callable[[str], None] = lambda message: None, live: LiveState | None = None,
               staged: Callable[[dict[str, Path]], None] = lambda folders: None,
               published: Callable[[], None] = lambda: None) -> BuildContext:
    """Run the stages of STAGES named in `names` (all by default), in the list's order, in a fresh staging folder
    (or, for the preview, in `live.folder`, kept between rebuilds: calcguide/incremental.py); `staged` sees the
    staged site/ and dist/ of a full build just before they are swapped in; then `published`,
    while the work folder is still held (build.py records what it published: calcguide/uptodate.py)."""
    timings = timings or Timings()
    # One build per work folder; an interrupted publish is finished first (calcguide/publish.py).
    with work_folder_lock(layout.work_dir) as work_lock:
        recover([layout.site_dir, layout.dist_dir])
        staging = live.folder if live else Path(tempfile.mkdtemp(prefix="output-", dir=layout.work_dir))
        settings = settings or PublishSettings()
        # Before anything is read: what the kept caches of a full build are salted with.
        snapshot = None if live else InputsSnapshot.take(layout.project, layout.content_dir, repr(settings))
        context = BuildContext(layout, staging, timings, previous_inputs, parallel=parallel, settings=settings,
                               warn=warn, work_lock=work_lock, live=live, staged=staged, snapshot=snapshot)
        try:
            context.dist.mkdir(parents=True, exist_ok=bool(live))
            for stage in STAGES:
                if names is None or stage.name in names:
                    start = time.perf_counter()
                    stage.run(context)
                    timings.record(stage.name, time.perf_counter() - start)
            if live:
                live.good = True
            published()
        except BaseException:
            if live:
                live.good = False  # its output is half new: the next rebuild builds everything
            raise
        finally:
            _save_kept(context)  # once, with what the stages that ran found
            if not live:
                shutil.rmtree(staging, ignore_errors=True)
    return context


def build_everything(layout: Layout, timings: Timings | None = None, parallel: bool = True,
                     settings: PublishSettings | None = None,
                     warn: Callable[[str], None] = lambda message: None,
                     staged: Callable[[dict[str, Path]], None] = lambda folders: None,
                     published: Callable[[], None] = lambda: None) -> Timings:
    return run_stages(layout, timings=timings, parallel=parallel, settings=settings, warn=warn, staged=staged,
                      published=published).timings


def publish(staged: Path, target: Path) -> None:
    """Replace target with staged in two renames, so readers never see a half-written folder."""
    previous = target.with_name(target.name + ".previous")
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        target.rename(previous)
    shutil.move(str(staged), str(target))
    shutil.rmtree(previous, ignore_errors=True)
