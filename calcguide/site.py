"""Site stage: derive one MkDocs configuration per language from the base mkdocs.yml and build each language.

Each language is its own MkDocs site so that it has its own search index with its own lunr stemmer
(mkdocs-static-i18n merges both languages into one index).
"""
from __future__ import annotations

import copy
import logging
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import jinja2
import yaml

from .content import LANGS, Guide
from .export import BIBTEX_FILE, RIS_FILE
from .handout import handout_name
from .publish import PublishSettings
from .render import Catalogue, RenderedLanguage
from .search import enrich_search_index
from .templatecache import ThemeBytecodeCache

SHIM = Path("node_modules/iframe-worker/shim/index.js")
SHIM_TARGET = Path("assets/vendor/iframe-worker/shim.js")


class SiteBuildError(Exception):
    """MkDocs refused the generated pages (strict mode: a broken link, a missing anchor…)."""


def language_config(base: dict[str, Any], project: Path, guide: Guide, catalogue: Catalogue,
                    rendered: RenderedLanguage, site_dir: Path, settings: PublishSettings | None = None) -> dict[str, Any]:
    """The full MkDocs configuration of one language, derived from the base mkdocs.yml."""
    lang = rendered.lang
    settings = settings or PublishSettings()
    config = copy.deepcopy(base)
    config.update(
        site_name=guide.site.short_title[lang],
        # Only a real public address: MkDocs then writes canonical links and the sitemap from it. Without one,
        # nothing names an address (each page's description comes from its own summary: templates/theme/main.html).
        site_url=settings.language_url(lang),
        docs_dir=str(rendered.docs_dir),
        site_dir=str(site_dir / lang),
        nav=rendered.nav,
        copyright=f"{guide.site.authors[lang]} — {catalogue.ui['version'][lang]} {guide.site.version}",
    )
    config["theme"] = {**config["theme"], "language": lang,
                       "custom_dir": str(project / config["theme"]["custom_dir"])}
    config["extra"] = {
        **config.get("extra", {}),
        # Material shows its language selector when `alternate` is set (header.html), and for each entry of an
        # `alternate` *list* base.html writes a <link rel="alternate"> whose sitemap.xml the theme's JavaScript
        # then fetches (outside the page when the link is absolute, a console error from file://). Our
        # partials/alternate.html already links each page to its counterpart, so `alternate` is a plain switch
        # and the languages it lists are in `languages`.
        "alternate": True,
        "languages": [{"name": catalogue.language_name[code], "lang": code} for code in LANGS],
        "guide": {
            "title": guide.site.title[lang],
            "version": guide.site.version,
            "last_reviewed": guide.last_reviewed.isoformat(),
            "disclaimer": guide.site.disclaimer[lang],
            "public_url": settings.public_url or "",  # the chooser's address (hreflang x-default); "" when none
            "contact": guide.site.contact.model_dump() if guide.site.contact else None,
            "handout": handout_name(lang),
            "ris": RIS_FILE,
            "bibtex": BIBTEX_FILE,
            "ui": {key: text[lang] for key, text in catalogue.ui.items()},
        },
    }
    config["plugins"] = [_search_for(plugin, lang) for plugin in config["plugins"]]
    config["markdown_extensions"] = [_snippets_for(extension, rendered) for extension in config["markdown_extensions"]]
    return config


def _search_for(plugin: Any, lang: str) -> Any:
    if isinstance(plugin, dict) and "search" in plugin:
        return {"search": {**(plugin["search"] or {}), "lang": [lang]}}
    if plugin == "search":
        return {"search": {"lang": [lang]}}
    return plugin


def _search_languages(config: dict[str, Any]) -> list[str]:
    searches = (plugin["search"]["lang"] for plugin in config["plugins"] if isinstance(plugin, dict) and "search" in plugin)
    return next(searches, [])


def _snippets_for(extension: Any, rendered: RenderedLanguage) -> Any:
    # Every page gets the glossary's abbreviations appended, so the abbr extension shows them as tooltips.
    if isinstance(extension, dict) and "pymdownx.snippets" in extension:
        options = dict(extension["pymdownx.snippets"] or {})
        options["base_path"] = [str(rendered.docs_dir.parent)]
        options["auto_append"] = [f"abbreviations.{rendered.lang}.md"]
        return {"pymdownx.snippets": options}
    return extension


def build_sites(guide: Guide, catalogue: Catalogue, rendered: dict[str, RenderedLanguage], project: Path,
                work_dir: Path, site_dir: Path, settings: PublishSettings | None = None) -> None:
    """Build every language into site_dir/<lang>/ and write the language chooser at site_dir/index.html."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    from .errorpage import ErrorPageBase

    base = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    _route_mkdocs_warnings()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    for lang, language in rendered.items():
        _vendor_shim(project, language.docs_dir)
        config_path = work_dir / f"mkdocs.{lang}.yml"
        config = language_config(base, project, guide, catalogue, language, site_dir, settings)
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        try:
            mkdocs_config = load_config(str(config_path))
            mkdocs_config.plugins["calcguide-theme-cache"] = ThemeBytecodeCache(work_dir)
            mkdocs_config.plugins["calcguide-error-page"] = ErrorPageBase(lang)
            build(mkdocs_config)
        except (Abort, ConfigurationError) as exc:
            raise SiteBuildError(f"MkDocs could not build the {lang} site: {exc}") from None
        if not (settings and settings.public_url):  # a sitemap of relative addresses would mislead crawlers
            for sitemap in ("sitemap.xml", "sitemap.xml.gz"):
                (site_dir / lang / sitemap).unlink(missing_ok=True)
        prune_unused_assets(site_dir / lang, search_languages=_search_languages(config))
        enrich_search_index(site_dir / lang, guide, language)
    write_language_chooser(guide, catalogue, project, site_dir, settings)


def _vendor_shim(project: Path, docs_dir: Path) -> None:
    source = project / SHIM
    if not source.is_file():
        raise SiteBuildError(f"{SHIM} is missing; run `make site` (it installs the pinned npm packages)")
    target = docs_dir / SHIM_TARGET
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def prune_unused_assets(language_site: Path, search_languages: list[str]) -> None:
    """Drop what a French or English site never loads: source maps, the search scripts (other languages'
    stemmers, segmenters) that its search languages do not import, and theme assets nothing refers to."""
    for source_map in language_site.rglob("*.map"):
        source_map.unlink()
    lunr = language_site / "assets" / "javascripts" / "lunr"
    needed = lunr_scripts_loaded(search_languages)
    for script in lunr.rglob("*.js"):
        if script.relative_to(lunr).as_posix() not in needed:
            script.unlink()
    # The theme copies all its assets whatever the configuration uses (palette.css without a palette…); keep
    # those that a page, a stylesheet or a script names. The search worker names its lunr scripts by pattern,
    # so they were chosen above.
    texts = {path: path.read_text(encoding="utf-8", errors="replace") for path in language_site.rglob("*")
             if path.suffix in {".html", ".css", ".js"}}
    for asset in [path for path in (language_site / "assets").rglob("*") if path.is_file()]:
        if lunr not in asset.parents and not any(asset.name in text for path, text in texts.items() if path != asset):
            asset.unlink()


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
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(project / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    html = env.get_template("language-chooser.html.j2").render(
        guide=guide, strings=catalogue, langs=LANGS, public_url=(settings or PublishSettings()).public_url,
        handout_name=handout_name)
    (site_dir / "index.html").write_text(html, encoding="utf-8")


class _WarningPrinter(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        print(f"  mkdocs {record.levelname.lower()}: {record.getMessage()}", file=sys.stderr)


def _route_mkdocs_warnings() -> None:
    logger = logging.getLogger("mkdocs")
    if not any(isinstance(handler, _WarningPrinter) for handler in logger.handlers):
        handler = _WarningPrinter(logging.WARNING)
        logger.addHandler(handler)
        logger.setLevel(logging.WARNING)
        logger.propagate = False
