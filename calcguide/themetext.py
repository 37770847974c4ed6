"""An MkDocs plugin that hands the theme our settings and titles as escaped HTML.

To MkDocs and Material, `site_name`, `site_description`, `copyright` and page and section titles are HTML: the
theme prints them unescaped, in text and in attributes (`aria-label="{{ config.site_name }}"`). Ours are plain
text from content/ and templates/strings.yml, so a quote in a title would end an attribute and start another
(`" http-equiv="refresh`). Each is given to the theme as `Markup(escape(text))`: printed raw it is escaped text,
and the theme's own `| e` leaves it as it is (no double escaping). calcguide/audit.py checks the result.
"""
from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

# What a site address may hold: a scheme, a host, a path (MkDocs prints it in canonical links and the sitemap).
SITE_URL = re.compile(r"^https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~%/-]*)?$")


def as_html(value: Any) -> Any:
    return Markup(escape(value)) if isinstance(value, str) and not isinstance(value, Markup) else value


class EscapedText(BasePlugin):
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        for key in ("site_name", "site_description", "copyright"):
            config[key] = as_html(config[key])
        if config.site_url and not SITE_URL.match(config.site_url):
            raise PluginError(f"site_url {config.site_url!r} is not a plain web address (scheme, host, path)")
        return config

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Any) -> Navigation:
        pending = list(nav.items)
        while pending:
            item = pending.pop()
            if isinstance(item, Section):
                pending.extend(item.children)
            if not isinstance(item, Page):  # sections and links; a page's title is set with its front matter
                item.title = as_html(item.title)
        return nav

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Any) -> str:
        for key in ("title", "description"):
            if key in page.meta:
                page.meta[key] = as_html(page.meta[key])
        page.title = as_html(page.title)
        return markdown
