"""The 404 page's links without a public address. MkDocs writes the error page with absolute links from the path of
`site_url` (the page is served at any depth), and assumes the server root when there is none; each language's site
sits in /<lang>/, so its links must start there. With a public address, site_url already says so."""
from __future__ import annotations

from typing import Any

from mkdocs.plugins import BasePlugin
from mkdocs.utils import is_error_template


class ErrorPageBase(BasePlugin):
    """Added by site.py to each MkDocs build without a public address (not to the written configurations)."""

    def __init__(self, lang: str):
        super().__init__()
        self.base = f"/{lang}/"

    def on_template_context(self, context: dict[str, Any], template_name: str, config: Any) -> dict[str, Any]:
        # MkDocs' url filter reads base_url from the context, so the whole error page follows.
        if is_error_template(template_name) and not config.site_url:
            context["base_url"] = self.base
        return context
