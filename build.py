#!/usr/bin/env python3
"""Command line of the Calcinosis Guide build.

    python build.py            validate content/, render, build both sites, package  (site/, dist/)
    python build.py check      validate content/ only and report every mistake at once
    python build.py reviewed   record what every page shows now, after reviewing the pages whose date you moved
                               (content/reviewed.yml; refused while a page changed without a new date)
    python build.py serve      live preview on http://127.0.0.1:8000/, rebuilt when content/, templates/ or docs/ change
    python build.py new treatment ID [--kind drug|local|procedure]
    python build.py new reference ID
    python build.py new chapter ID
                               a new content file (a reference: an entry at the end of references.yml) with every
                               field to write marked TODO or left empty; `check` names each one until it is written

    --content DIR              the guide to build (default: content/): any folder of the same files, such as the
                               minimal guide of the tests (tests/guides/minimal/)

    --public-url https://…/    the address the guide is published at (or the CALCGUIDE_PUBLIC_URL variable): canonical
                               links, hreflang, the sitemap, the citation address and the handouts' QR code. Without
                               it none of these is written, and nothing shows a made-up address.
    --release                  refuse (exit 2) what a public release lacks: public address, editors, contact, a
                               changes entry for the version, treatments reviewed within the review cycle.
                               Without it these are warnings.
    --force                    build even when nothing changed: without it, a build whose inputs (content/, templates/,
                               docs/, mkdocs.yml, the code, the packages, Chromium and the fonts, the flags, the date)
                               are those of the last build, and whose site/ and dist/ are as it left them, prints that
                               build's warnings and "… are up to date …" and stops (calcguide/uptodate.py)

Content mistakes are printed as `file:line: field: message`, one per line, and exit with status 2; any other
failure (a template mistake, MkDocs refusing a page) is one line and exits with status 1. Either way site/ and
dist/ keep their previous contents. `--debug` shows the Python traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from calcguide.deployment import PUBLIC_URL_VARIABLE, PublishSettings, PublishSettingsError
from calcguide.layout import Layout

PROJECT = Path(__file__).resolve().parent
EXIT_CONTENT_ERROR = 2
EXIT_BUILD_ERROR = 1
# The kinds of file `new` writes (calcguide/content/scaffold.py's KINDS; a test holds them equal): named here, since
# importing the content schema is most of a build's start-up, which a build with nothing to do must not pay.
SCAFFOLD_KINDS = ("treatment", "reference", "chapter")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="build", choices=["build", "check", "serve", "reviewed", "new"])
    parser.add_argument("what", nargs="?", choices=SCAFFOLD_KINDS, help="with `new`: what to add")
    parser.add_argument("id", nargs="?", help="with `new`: the id of the new treatment, reference or chapter")
    parser.add_argument("--kind", default="drug", choices=["drug", "local", "procedure"],
                        help="with `new treatment`: the kind of treatment, which decides its safety fields")
    parser.add_argument("--content", type=Path, help="content folder (default: content/)")
    parser.add_argument("--site-dir", type=Path, help="output folder for the sites (default: site/)")
    parser.add_argument("--dist-dir", type=Path, help="output folder for the bundle and PDFs (default: dist/)")
    parser.add_argument("--work-dir", type=Path, help="scratch folder for generated Markdown (default: build/)")
    parser.add_argument("--port", type=int, default=8000, help="port of `serve` (default: 8000)")
    parser.add_argument("--public-url", metavar="URL",
                        help=f"public address of the guide (default: ${PUBLIC_URL_VARIABLE}, else none)")
    parser.add_argument("--release", action="store_true", help="fail on anything a public release lacks")
    parser.add_argument("--force", action="store_true",
                        help="build even when site/ and dist/ are up to date with everything the build reads")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks")
    args = parser.parse_args(argv)

    layout = Layout.default(PROJECT)
    for name in ("content", "site_dir", "dist_dir", "work_dir"):
        if (value := getattr(args, name)) is not None:
            setattr(layout, "content_dir" if name == "content" else name, value.resolve())
    if args.command == "new":  # writes a content file: no settings read, so none can be refused
        return _run(parser, args, layout, PublishSettings())
    try:
        settings = PublishSettings.from_command_line(args.public_url, args.release)
    except PublishSettingsError as error:
        if not (args.release and args.command == "check"):
            print(f"error: {error}", file=sys.stderr)
            return EXIT_CONTENT_ERROR
        # `check --release` lists every missing item at once, the refused address among them.
        settings = PublishSettings(None, True, public_url_problem=str(error))
    if args.command == "build":
        inputs = _inputs(args, layout, settings)
        if not args.force and inputs and (last := _last_build(layout, inputs)):
            for message in last.warnings:
                _warn(message)  # the same inputs: the same warnings as the build that wrote site/ and dist/
            print(f"{_shown(layout.site_dir)} and {_shown(layout.dist_dir)} are up to date with "
                  f"{_shown(layout.content_dir)}, templates/, docs/, the build's code and its settings: nothing to "
                  "build (--force builds anyway)")
            print(*last.summary, sep="\n")
            return 0
        return _run(parser, args, layout, settings, inputs)
    return _run(parser, args, layout, settings)


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace, layout: Layout, settings: PublishSettings,
         inputs: str | None = None) -> int:
    """Every command but a build with nothing to do: they load the build (most of their start-up time)."""
    from calcguide.keptcache import code_digest

    # The code's digest, which salts the kept caches, before the build's modules are loaded: a file changed after
    # it (while they load, or later) differs from it at the end of the build, which then keeps nothing.
    code_digest()
    from calcguide.content import ContentErrors
    from calcguide.content.editorschema import write_editor_schemas
    from calcguide.failure import describe
    from calcguide.pipeline import Timings, build_everything, validate
    from calcguide.site import SiteBuildError

    write_editor_schemas(PROJECT, layout.content_dir, layout.work_dir if args.command == "build" else None)
    if args.command == "new":
        return _new(parser, args, layout)
    try:
        if args.command == "check":
            guide, _ = validate(layout, settings, _warn)
            print(f"content OK: {len(guide.treatments)} treatments, {len(guide.references.references)} references")
        elif args.command == "reviewed":
            from calcguide.reviewed import record_reviews

            guide, _ = validate(layout)
            if refused := record_reviews(guide, layout.content_dir):
                raise ContentErrors(refused)
            print(f"recorded the review of every page in {layout.content_dir.name}/reviewed.yml")
        elif args.command == "serve":
            from calcguide.serve import serve

            if args.site_dir is None:
                # The preview lacks the handouts and the server policy: it never replaces the published site/,
                # which must keep matching dist/ (calcguide/publish.py).
                layout.site_dir = layout.work_dir / "preview"
            serve(layout, args.port, args.debug)
        else:
            from calcguide import uptodate

            warnings: list[str] = []

            def warn(message: str) -> None:
                warnings.append(message)
                _warn(message)

            summary: list[str] = []
            staged_manifest: dict[str, str] = {}

            def staged(folders: dict[str, Path]) -> None:
                # What this build is about to publish, read before the swap: another build publishing the same
                # site/ (with its own --work-dir) may replace it before `published` runs.
                if inputs:
                    staged_manifest.update(_manifest_or_none(folders) or {})

            def published() -> None:
                summary.extend(_bundle_lines(layout))
                schemas = _manifest_or_none({"schemas": _outputs(layout)["schemas"]})
                # Remembered only when no input changed while the build read them (else the next build runs).
                if staged_manifest and schemas is not None and inputs == _inputs(args, layout, settings):
                    uptodate.remember(layout.work_dir, inputs, {**staged_manifest, **schemas}, warnings, summary)

            layout.work_dir.mkdir(parents=True, exist_ok=True)
            uptodate.forget(layout.work_dir)
            build_everything(layout, Timings(report=_progress), settings=settings, warn=warn, staged=staged,
                             published=published)
            print(f"built {layout.site_dir} and {layout.dist_dir}")
            print(*summary, sep="\n")
        return 0
    except ContentErrors as errors:
        if args.debug:
            raise
        for error in errors.errors:
            print(error.for_editor(), file=sys.stderr)
        print(f"{len(errors.errors)} content error(s); nothing was written", file=sys.stderr)
        return EXIT_CONTENT_ERROR
    except SiteBuildError as error:
        if args.debug:
            raise
        print(f"error: {error}; nothing was written", file=sys.stderr)
        return EXIT_BUILD_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a template mistake or a bug: one line for the editor, the traceback with --debug
        if args.debug:
            raise
        print(f"{describe(error, PROJECT)[0]}; nothing was written (run with --debug for the details)",
              file=sys.stderr)
        return EXIT_BUILD_ERROR


def _outputs(layout: Layout) -> dict[str, Path]:
    """What a build publishes: the sites, the bundle and PDFs, and the editors' schemas."""
    from calcguide.uptodate import SCHEMA_DIR

    return {"site": layout.site_dir, "dist": layout.dist_dir, "schemas": PROJECT / SCHEMA_DIR}


def _inputs(args: argparse.Namespace, layout: Layout, settings: PublishSettings) -> str | None:
    """The digest of everything a build reads (calcguide/uptodate.py), its flags included; None when in doubt."""
    from calcguide import uptodate

    flags = {name: str(value) for name, value in sorted(vars(args).items()) if name != "force"}
    try:
        return uptodate.input_digest(PROJECT, layout.content_dir, _outputs(layout), settings,
                                     layout.work_dir / "pdf-cache", flags)
    except Exception:  # noqa: BLE001 - in doubt, whatever the doubt: the build runs whole and reports it located
        return None  # (an unreadable file, a link, a name that is not UTF-8, folders nested too deep…)


def _last_build(layout: Layout, inputs: str):  # noqa: ANN202 - calcguide.uptodate.LastBuild, loaded late
    from calcguide.uptodate import up_to_date

    try:
        return up_to_date(layout.work_dir, inputs, _outputs(layout))
    except Exception:  # noqa: BLE001 - in doubt: the build runs whole
        return None


def _manifest_or_none(folders: dict[str, Path]) -> dict[str, str] | None:
    """The output manifest of these folders (calcguide/uptodate.py); None when in doubt (nothing is remembered,
    and the next build runs whole)."""
    from calcguide.uptodate import output_manifest

    try:
        return output_manifest(folders)
    except Exception:  # noqa: BLE001 - a link, an unreadable file, folders nested too deep: in doubt
        return None


def _bundle_lines(layout: Layout) -> list[str]:
    from calcguide.package import measure_bundle, offline_bundles

    return [f"offline bundle {measure_bundle(bundle)}" for bundle in offline_bundles(layout.dist_dir)]


def _shown(folder: Path) -> str:
    """A folder as the editor names it: from the current folder when it is under it."""
    try:
        return f"{folder.relative_to(Path.cwd())}/"
    except ValueError:
        return f"{folder}/"


def _new(parser: argparse.ArgumentParser, args: argparse.Namespace, layout: Layout) -> int:
    from calcguide.content.scaffold import ScaffoldError, new_file

    if args.what is None or args.id is None:
        parser.error("new needs what to add and its id: new treatment ID, new reference ID or new chapter ID")
    try:
        path = new_file(PROJECT, layout.content_dir, args.what, args.id, args.kind)
    except ScaffoldError as refused:
        print(refused.error, file=sys.stderr)
        return EXIT_CONTENT_ERROR
    print(f"wrote {path}: replace every TODO and fill every empty value; `build.py check` names what is left")
    return 0


def _warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _progress(stage: str, seconds: float) -> None:
    print(f"{stage:<10} {seconds:6.2f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
