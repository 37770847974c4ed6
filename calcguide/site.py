"""MkDocs, prune and chooser stages: one MkDocs configuration per language, inheriting the base mkdocs.yml, and
its build; the theme files a French/English offline site never loads; the language chooser.

Each language is its own MkDocs site so that it has its own search index with its own lunr stemmer
(mkdocs-static-i18n merges both languages into one index).
"""
from __future__ import annotations

import hashlib
import logging
import os
import sys
import types
from pathlib import Path
from typing import Any

import jinja2
import yaml

from .content import LANGS, Guide
from .deployment import PublishSettings
from .export import BIBTEX_SUFFIX, RIS_SUFFIX, bibtex_file, ris_file
from .catalogue import Catalogue, date_in_words, page_date_label
from .pages import RenderedLanguage
from .templatecache import ThemeBytecodeCache
from .fragments import CONTENT_MARKDOWN, Setting
from .typography import markdown_extensions, plain_text


def words_of(text: str, lang: str) -> str:
    """A content text as plain words (typeset, no markup, no citations), for a place that takes no HTML."""
    return CONTENT_MARKDOWN.render(text, Setting(lang)).text

MATERIAL_FAVICON = "assets/images/favicon.png"  # the theme's own icon, copied into every site
# The guide's stylesheets (mkdocs.yml `extra_css`, kept as separate files in docs/ for whoever edits them), joined
# in that order into this one file, which is all a page links besides the theme's own: one request, not five.
JOINED_CSS = "assets/stylesheets/calcguide.css"


class SiteBuildError(Exception):
    """MkDocs refused the generated pages (strict mode: a broken link, a missing anchor…)."""


def language_config(base: dict[str, Any], project: Path, guide: Guide, catalogue: Catalogue,
                    rendered: RenderedLanguage, site_dir: Path, settings: PublishSettings | None = None) -> dict[str, Any]:
    """What one language's MkDocs configuration changes in the base mkdocs.yml, which it inherits (`INHERIT:`):
    MkDocs itself reads the base, with its own YAML tags (`!ENV`, `!!python/name:`…), and deep-merges these
    settings into it. The search language follows `theme.language` (Material's default)."""
    from .handout import handout_name  # here: handout.py imports the audit, which imports this module

    lang = rendered.lang
    settings = settings or PublishSettings()
    custom_dir = Path(base["theme"]["custom_dir"])
    theme: dict[str, Any] = {"language": lang,
                             # Relative paths of the inheriting file are read from its own folder.
                             "custom_dir": str(custom_dir if custom_dir.is_absolute() else project / custom_dir)}
    if "palette" in base["theme"]:
        # mkdocs.yml names each toggle by a key of the interface catalogue; the reader sees it in their language.
        theme["palette"] = [
            {**scheme, "toggle": {**scheme["toggle"], "name": catalogue.ui[scheme["toggle"]["name"]][lang]}}
            for scheme in base["theme"]["palette"]]
    return {
        "INHERIT": str((project / "mkdocs.yml").resolve()),
        # The stylesheets reach the site joined in one file (join_stylesheets); the sources stay out of it.
        "extra_css": [JOINED_CSS],
        "exclude_docs": "\n".join(f"/{source}" for source in stylesheet_sources(base)),
        "site_name": plain_text(guide.site.short_title[lang], lang),
        # Only a real public address: MkDocs then writes canonical links and the sitemap from it. Without one,
        # nothing names an address (each page's description comes from its own summary: templates/theme/main.html).
        "site_url": settings.language_url(lang),
        "docs_dir": str(rendered.docs_dir),
        "site_dir": str(site_dir / lang),
        "nav": rendered.nav,
        "not_in_nav": "\n".join(rendered.not_in_nav),
        "copyright": plain_text(f"{guide.site.authors[lang]} — {catalogue.ui['version'][lang]} {guide.site.version}",
                                lang),
        "theme": theme,
        "extra": {
            # Material shows its language selector when `alternate` is set (header.html), and for each entry of an
            # `alternate` *list* base.html writes a <link rel="alternate"> whose sitemap.xml the theme's JavaScript
            # then fetches (outside the page when the link is absolute, a console error from file://). Our
            # partials/alternate.html already links each page to its counterpart, so `alternate` is a plain switch
            # and the languages it lists are in `languages`.
            "alternate": True,
            "languages": [{"name": catalogue.language_name[code], "lang": code} for code in LANGS],
            "guide": {
                "title": plain_text(guide.site.title[lang], lang),
                "version": guide.site.version,
                "last_reviewed": guide.last_reviewed.isoformat(),
                # Until the site names its editors every page says it is a draft, and its date says only what was
                # done (issue 23); both go away by themselves once editors are named.
                "draft": not guide.site.editors,
                "date_label": plain_text(page_date_label(catalogue, bool(guide.site.editors), lang), lang),
                "last_reviewed_text": date_in_words(catalogue, guide.last_reviewed, lang),
                "disclaimer": words_of(guide.site.disclaimer[lang], lang),  # the theme escapes it
                "public_url": settings.public_url or "",  # the chooser's address (hreflang x-default); "" when none
                "contact": guide.site.contact.model_dump() if guide.site.contact else None,
                "handout": handout_name(lang),
                "ris": ris_file(guide),
                "bibtex": bibtex_file(guide),
                "ui": {key: plain_text(text[lang], lang) for key, text in catalogue.ui.items()},
            },
        },
        # A list is replaced, not merged, by an inheriting file: the base's extensions are restated (as MkDocs
        # read them), with the permalinks titled in this language and this language's typography.
        "markdown_extensions": [
            *(_permalinks_for(extension, catalogue.ui["permalink"][lang]) for extension in base["markdown_extensions"]),
            *markdown_extensions(lang),
        ],
    }


# Files of docs/ that a browser runs or renders as a document: each must be named where MkDocs loads it.
CODE_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".js", ".mjs", ".svg", ".xml", ".xsl", ".wasm"})


def docs_problems(project: Path, base: dict[str, Any] | None = None) -> list[Any]:
    """docs/ is code, reviewed as code: it holds no page, script or picture that mkdocs.yml does not name
    (`extra_javascript`, `extra_css`, `theme.favicon`, `theme.logo`), and no file at the path of a file of the theme
    (Material's assets, our theme overrides) or of one the build writes, which it would replace. `base`: mkdocs.yml
    as the build read it (read here if not given)."""
    from material import templates as material_templates

    from .content import ContentError

    if not (project / "mkdocs.yml").is_file():
        return []  # no site to build (a test that prints handouts alone); MkDocs would say so
    base = base if base is not None else read_base_config(project)
    theme = base.get("theme", {})
    named = {str(item if isinstance(item, str) else item.get("path", "")) for key in ("extra_javascript", "extra_css")
             for item in base.get(key, [])} | {theme.get("favicon"), theme.get("logo")}
    theme_dirs = [Path(material_templates.__file__).parent, project / theme.get("custom_dir", "templates/theme")]
    written_by_build = {JOINED_CSS, "search/search_index.json", "search/search_index.js", "sitemap.xml",
                        "404.html"}
    errors = []
    docs = project / "docs"
    for path in sorted(docs.rglob("*")) if docs.is_dir() else []:
        if not path.is_file():
            continue
        relative = path.relative_to(docs).as_posix()
        name = f"docs/{relative}"
        if path.suffix.lower() in CODE_SUFFIXES and relative not in named:
            errors.append(ContentError(name, 1, "", "a page, script or picture that mkdocs.yml does not name; list it "
                                       "(extra_javascript, extra_css, theme.favicon) or remove it"))
        if relative in written_by_build or relative.endswith((RIS_SUFFIX, BIBTEX_SUFFIX)) or any((folder / relative).exists() for folder in theme_dirs):
            errors.append(ContentError(name, 1, "", "this file has the path of a file of the theme or of the build, "
                                       "which it would replace; rename it"))
    return errors


def _permalinks_for(extension: Any, title: str) -> Any:
    # Every heading gets a link to itself, titled in the page's language (the ¶ sign is what readers copy).
    if isinstance(extension, dict) and "toc" in extension:
        return {"toc": {**(extension["toc"] or {}), "permalink": True, "permalink_title": title}}
    return extension


class _ConfigDumper(yaml.SafeDumper):
    """Writes what MkDocs' own YAML reading gave back: a Python object named in mkdocs.yml with
    `!!python/name:` (an emoji index, a fence formatter) is written with that tag again."""


def _python_name(dumper: yaml.SafeDumper, value: Any) -> yaml.Node:
    return dumper.represent_scalar(f"tag:yaml.org,2002:python/name:{value.__module__}.{value.__qualname__}", "")


for _kind in (types.FunctionType, types.BuiltinFunctionType, type):
    _ConfigDumper.add_multi_representer(_kind, _python_name)


def read_base_config(project: Path) -> dict[str, Any]:
    """mkdocs.yml as MkDocs reads it (its tags included), for the few values the per-language files derive. A build
    reads it once (`BuildContext.base_config`) and hands it on: MkDocs' YAML reader is pure Python."""
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load

    with (project / "mkdocs.yml").open("rb") as base:
        return yaml_load(base, get_yaml_loader(config=MkDocsConfig()))


def build_language(guide: Guide, catalogue: Catalogue, language: RenderedLanguage, project: Path, work_dir: Path,
                   site_dir: Path, settings: PublishSettings | None = None, dirty: bool = False,
                   base: dict[str, Any] | None = None) -> None:
    """Run MkDocs for one language into site_dir/<lang>/; `dirty` (the preview, calcguide/incremental.py): only
    the pages whose Markdown is newer than their HTML, into the last build's output. `base`: mkdocs.yml as the
    build read it (read here if not given); it is not changed."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    from .errorpage import ErrorPageBase
    from .placeholders import fragment_swap_plugin
    from .themetext import EscapedText

    warnings = _route_mkdocs_warnings()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    lang = language.lang
    base = base if base is not None else read_base_config(project)
    join_stylesheets(base, language.docs_dir)
    config_path = work_dir / f"mkdocs.{lang}.yml"
    try:
        config = language_config(base, project, guide, catalogue, language, site_dir, settings)
        config_path.write_text("# Generated by calcguide/site.py: mkdocs.yml with this language's settings.\n"
                               + yaml.dump(config, Dumper=_ConfigDumper, allow_unicode=True, sort_keys=False),
                               encoding="utf-8")
        mkdocs_config = load_config(str(config_path))
        mkdocs_config.plugins["calcguide-theme-cache"] = ThemeBytecodeCache(work_dir)
        mkdocs_config.plugins["calcguide-escaped-text"] = EscapedText()  # our texts reach the theme escaped
        mkdocs_config.plugins["calcguide-error-page"] = ErrorPageBase(lang)
        # Content fragments in place of their placeholders, before anything reads the pages' HTML.
        mkdocs_config.plugins["calcguide-fragments"] = fragment_swap_plugin(language.fragments)
        if dirty:
            mkdocs_config.plugins["calcguide-titles-of-unbuilt-pages"] = _titles_of_unbuilt_pages()
        build(mkdocs_config, dirty=dirty)
    except (Abort, ConfigurationError, PluginError) as exc:
        because = "".join(f" {warning}" for warning in warnings.seen)
        raise SiteBuildError(f"MkDocs could not build the {lang} site: {exc}{because}") from None
    if base["theme"].get("favicon") not in (None, MATERIAL_FAVICON):
        (site_dir / lang / MATERIAL_FAVICON).unlink(missing_ok=True)  # ours replaces it: no page names it
    if not (settings and settings.public_url):  # a sitemap of relative addresses would mislead crawlers
        for sitemap in ("sitemap.xml", "sitemap.xml.gz"):
            (site_dir / lang / sitemap).unlink(missing_ok=True)


def _titles_of_unbuilt_pages():  # noqa: ANN202 - an MkDocs plugin (mkdocs is imported only here)
    """In a dirty build, the pages MkDocs does not rebuild still read their front matter, as a whole build reads
    it (the source, then the plugins' `page_markdown`: calcguide/themetext.py escapes the title), since the
    navigation and the previous/next links of the rebuilt pages show their titles."""
    from mkdocs.plugins import BasePlugin

    class TitlesOfUnbuiltPages(BasePlugin):
        def on_nav(self, nav, config, files):  # noqa: ANN001, ANN201 - MkDocs' hook
            for page in nav.pages:
                if not page.file.is_modified():
                    page.read_source(config)
                    page.markdown = config.plugins.on_page_markdown(page.markdown, page=page, config=config,
                                                                    files=files)
            return nav

    return TitlesOfUnbuiltPages()


def mkdocs_input(project: Path, language: RenderedLanguage, settings: str) -> str:
    """A digest of everything a language's MkDocs build reads: its Markdown, the theme, the base configuration
    and the guide settings its configuration is derived from."""
    return fingerprint([language.docs_dir, language.fragments, project / "templates" / "theme", project / "mkdocs.yml"],
                       settings)


def fingerprint(paths: list[Path], *texts: str) -> str:
    """A digest of the files under paths (names and contents) and of texts."""
    digest = hashlib.sha256()
    for root in paths:
        for path in sorted(root.rglob("*")) if root.is_dir() else [root]:
            if path.is_file():
                digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for text in texts:
        digest.update(text.encode() + b"\0")
    return digest.hexdigest()


def stylesheet_sources(base: dict[str, Any]) -> list[str]:
    """The guide's stylesheets as mkdocs.yml lists them (`extra_css`), in their order."""
    return [str(item if isinstance(item, str) else item["path"]) for item in base.get("extra_css", [])]


def join_stylesheets(base: dict[str, Any], docs_dir: Path) -> Path:
    """Write JOINED_CSS into a language's docs folder: the guide's stylesheets one after the other, in mkdocs.yml's
    order, so that the cascade is the one five links gave. A page blocks its first paint on each stylesheet it
    links; one file is one round trip, and it compresses better than five."""
    parts = []
    for source in stylesheet_sources(base):
        text = (docs_dir / source).read_text(encoding="utf-8")
        if text.lstrip().startswith(("@charset", "@import")):  # valid only at the top of a file
            raise SiteBuildError(f"docs/{source}: @charset and @import cannot be joined into {JOINED_CSS}; remove it")
        parts.append(f"/* docs/{source} */\n{text.rstrip()}\n")
    target = docs_dir / JOINED_CSS
    target.parent.mkdir(parents=True, exist_ok=True)
    joined = "\n".join(parts)
    if not target.is_file() or target.read_text(encoding="utf-8") != joined:  # the preview fingerprints docs_dir
        target.write_text(joined, encoding="utf-8")
    return target


# Theme files that a French or English site, read online or from file://, never loads: Material copies all its
# assets into every site whatever the configuration uses. Named one by one (patterns under the language's site),
# so that a file the theme adds in a later release stays until someone checks what it is for.
NEVER_USED = (
    "**/*.map",                                 # source maps of the minified theme, for debugging it
    "assets/javascripts/lunr/tinyseg.js",       # Japanese word segmenter (search in Japanese)
    "assets/javascripts/lunr/wordcut.js",       # Thai word segmenter
)
PALETTES = "assets/stylesheets/palette.*.min.css"  # colour schemes; loaded only when mkdocs.yml sets `theme.palette`
LUNR = Path("assets/javascripts/lunr")


def prune_unused_assets(language_site: Path, search_languages: list[str], palette: bool) -> list[Path]:
    """Delete NEVER_USED, the palettes when no palette is set, and the search scripts (other languages' stemmers,
    the multi-language support) that the search worker does not import for these languages; return them."""
    patterns = NEVER_USED if palette else (*NEVER_USED, PALETTES)
    doomed = {path for pattern in patterns for path in language_site.glob(pattern) if path.is_file()}
    lunr = language_site / LUNR
    needed = lunr_scripts_loaded(search_languages)
    doomed |= {script for script in lunr.glob("min/*.js") if script.relative_to(lunr).as_posix() not in needed}
    for path in doomed:
        path.unlink()
    return sorted(doomed)


def lunr_scripts_loaded(search_languages: list[str]) -> set[str]:
    """The scripts under assets/javascripts/lunr/ that Material's search worker imports for these languages
    (workers/search.*.js: English is built into lunr; any other language adds its stemmer and the stemmer
    support, several languages add lunr.multi; ja/hi/th segmenters are never ours)."""
    stemmers = {f"min/lunr.{lang}.min.js" for lang in search_languages if lang != "en"}
    multi = {"min/lunr.multi.min.js"} if len(search_languages) > 1 else set()
    support = {"min/lunr.stemmer.support.min.js"} if stemmers or multi else set()
    return stemmers | multi | support


def write_language_chooser(guide: Guide, catalogue: Catalogue, project: Path, site_dir: Path,
                           settings: PublishSettings | None = None) -> None:
    from .handout import handout_name, leaflet_name  # here: handout.py imports the audit, which imports this module

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(project / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["typeset"] = plain_text
    env.filters["words"] = words_of  # a content text's words, without its markup and citations
    public_url = (settings or PublishSettings()).public_url
    html = env.get_template("language-chooser.html.j2").render(
        guide=guide, strings=catalogue, langs=LANGS, public_url=public_url, handout_name=handout_name,
        leaflet_name=leaflet_name, date_in_words=lambda date, lang: date_in_words(catalogue, date, lang))
    if public_url:  # crawlers look for /sitemap.xml: it names each language's sitemap
        index = env.get_template("sitemap-index.xml.j2").render(guide=guide, langs=LANGS, public_url=public_url)
        (site_dir / "sitemap.xml").write_text(index, encoding="utf-8")
    (site_dir / "index.html").write_text(html, encoding="utf-8")
    # Crawlers read /robots.txt first: with an address, it names the sitemaps (a plain-text file, not HTML).
    robots = jinja2.Environment(loader=jinja2.FileSystemLoader(project / "templates"), autoescape=False,
                                trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    (site_dir / "robots.txt").write_text(robots.get_template("robots.txt.j2").render(langs=LANGS, public_url=public_url),
                                         encoding="utf-8")


class _WarningPrinter(logging.Handler):
    """Prints MkDocs' warnings as they come, and keeps them, so that the error of a strict build can say which
    warning stopped it (a language built in a process of its own prints where the parent's output may not be)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(record.getMessage())
        print(f"  mkdocs {record.levelname.lower()}: {record.getMessage()}", file=sys.stderr)


def _route_mkdocs_warnings() -> _WarningPrinter:
    logger = logging.getLogger("mkdocs")
    printer = next((handler for handler in logger.handlers if isinstance(handler, _WarningPrinter)), None)
    if printer is None:
        printer = _WarningPrinter()
        logger.addHandler(printer)
        logger.setLevel(logging.WARNING)
        logger.propagate = False
    printer.seen.clear()
    # A dirty build (the preview) warns that it is one, which strict mode would count as a failure: the preview
    # rebuilds whole what a dirty build cannot keep right (calcguide/incremental.py).
    build_logger = logging.getLogger("mkdocs.commands.build")
    if not any(isinstance(existing, _DirtyBuildNotice) for existing in build_logger.filters):
        build_logger.addFilter(_DirtyBuildNotice())
    return printer


class _DirtyBuildNotice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()
