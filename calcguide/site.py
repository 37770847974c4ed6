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
from .render import Catalogue, RenderedLanguage

# Files the site never uses: source maps, and search languages other than ours.
UNUSED_LUNR_LANGUAGES = "lunr/min/lunr.*.min.js"
KEPT_LUNR_FILES = {"lunr.stemmer.support.min.js", "lunr.multi.min.js", *(f"lunr.{lang}.min.js" for lang in LANGS)}
SHIM = Path("node_modules/iframe-worker/shim/index.js")
SHIM_TARGET = Path("assets/vendor/iframe-worker/shim.js")


class SiteBuildError(Exception):
    """MkDocs refused the generated pages (strict mode: a broken link, a missing anchor…)."""


def language_config(base: dict[str, Any], project: Path, guide: Guide, catalogue: Catalogue,
                    rendered: RenderedLanguage, site_dir: Path) -> dict[str, Any]:
    """The full MkDocs configuration of one language, derived from the base mkdocs.yml."""
    lang = rendered.lang
    config = copy.deepcopy(base)
    config.update(
        site_name=guide.site.short_title[lang],
        site_url=f"{guide.site.site_url}{lang}/",
        site_description=guide.site.title[lang],
        docs_dir=str(rendered.docs_dir),
        site_dir=str(site_dir / lang),
        nav=rendered.nav,
        copyright=f"{guide.site.authors[lang]} — {catalogue.ui['version'][lang]} {guide.site.version}",
    )
    config["theme"] = {**config["theme"], "language": lang,
                       "custom_dir": str(project / config["theme"]["custom_dir"])}
    config["extra"] = {
        **config.get("extra", {}),
        # The language selector: our partials/alternate.html turns these into links to the counterpart page.
        "alternate": [{"name": catalogue.language_name[code], "link": f"{guide.site.site_url}{code}/", "lang": code}
                      for code in LANGS],
        "guide": {
            "title": guide.site.title[lang],
            "version": guide.site.version,
            "last_reviewed": guide.site.last_reviewed.isoformat(),
            "disclaimer": guide.site.disclaimer[lang],
            "site_url": f"{guide.site.site_url}{lang}/",
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


def _snippets_for(extension: Any, rendered: RenderedLanguage) -> Any:
    # Every page gets the glossary's abbreviations appended, so the abbr extension shows them as tooltips.
    if isinstance(extension, dict) and "pymdownx.snippets" in extension:
        options = dict(extension["pymdownx.snippets"] or {})
        options["base_path"] = [str(rendered.docs_dir.parent)]
        options["auto_append"] = [f"abbreviations.{rendered.lang}.md"]
        return {"pymdownx.snippets": options}
    return extension


def build_sites(guide: Guide, catalogue: Catalogue, rendered: dict[str, RenderedLanguage], project: Path,
                work_dir: Path, site_dir: Path) -> None:
    """Build every language into site_dir/<lang>/ and write the language chooser at site_dir/index.html."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    base = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    _route_mkdocs_warnings()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    for lang, language in rendered.items():
        _vendor_shim(project, language.docs_dir)
        config_path = work_dir / f"mkdocs.{lang}.yml"
        config = language_config(base, project, guide, catalogue, language, site_dir)
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        try:
            build(load_config(str(config_path)))
        except (Abort, ConfigurationError) as exc:
            raise SiteBuildError(f"MkDocs could not build the {lang} site: {exc}") from None
        prune_unused_assets(site_dir / lang)
    write_language_chooser(guide, catalogue, project, site_dir)


def _vendor_shim(project: Path, docs_dir: Path) -> None:
    source = project / SHIM
    if not source.is_file():
        raise SiteBuildError(f"{SHIM} is missing; run `make site` (it installs the pinned npm packages)")
    target = docs_dir / SHIM_TARGET
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def prune_unused_assets(language_site: Path) -> None:
    """Drop what a French or English site never loads: source maps and the other languages' stemmers."""
    for source_map in language_site.rglob("*.map"):
        source_map.unlink()
    javascripts = language_site / "assets" / "javascripts"
    for stemmer in javascripts.glob(UNUSED_LUNR_LANGUAGES):
        if stemmer.name not in KEPT_LUNR_FILES:
            stemmer.unlink()
    for segmenter in ("tinyseg.js", "wordcut.js"):
        (javascripts / "lunr" / segmenter).unlink(missing_ok=True)


def write_language_chooser(guide: Guide, catalogue: Catalogue, project: Path, site_dir: Path) -> None:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(project / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    html = env.get_template("language-chooser.html.j2").render(guide=guide, strings=catalogue, langs=LANGS)
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
