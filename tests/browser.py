"""Headless Debian Chromium driven by Playwright, with every request outside the page's own origin aborted
and recorded, and console errors collected. Never a downloaded browser."""
from __future__ import annotations

import functools
import http.server
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlparse

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
# As root, in a closed network: no sandbox, and no background calls home that would be refused anyway.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Visit:
    """A page plus what it tried to fetch from outside and what it logged as errors."""

    page: Page
    outside_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


def _is_local(url: str, allowed_origin: str | None) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in ("file", "data", "blob", "about"):
        return True
    return allowed_origin is not None and f"{parsed.scheme}://{parsed.netloc}" == allowed_origin


@contextmanager
def visit(browser: Browser, allowed_origin: str | None = None, **context_options) -> Iterator[Visit]:
    """A fresh browser context in which any request outside file:// (or allowed_origin) is aborted and recorded."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    result = Visit(page)

    def guard(route, request):
        if _is_local(request.url, allowed_origin):
            route.continue_()
        else:
            result.outside_requests.append(request.url)
            route.abort()

    context.route("**/*", guard)
    page.on("console", lambda message: message.type == "error" and result.console_errors.append(message.text))
    page.on("pageerror", lambda error: result.console_errors.append(str(error)))
    try:
        yield result
    finally:
        context.close()


# Sizes and colours change over short transitions. A check that changes a loaded page (narrows it, turns it dark)
# reads the end state at once without them, rather than a state halfway.
NO_TRANSITIONS = "*, *::before, *::after { transition: none !important }"


def without_transitions(page: Page) -> None:
    # A constructed stylesheet (CSSOM), not a <style> element: the offline pages' policy allows no inline style.
    page.evaluate("""css => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);
                              document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]; }""",
                  NO_TRANSITIONS)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """Serve a folder over loopback on a free port; yields the origin (http://127.0.0.1:PORT)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


# Resolves once the body shows the colour scheme. An observer of the attribute rather than wait_for_function, whose
# polling evaluates a string: the offline pages' policy forbids eval.
_SCHEME_SHOWN = """scheme => new Promise(resolve => {
  const shown = () => document.body.getAttribute("data-md-color-scheme") === scheme
  if (shown()) return resolve()
  new MutationObserver((_, observer) => { if (shown()) { observer.disconnect(); resolve() } })
    .observe(document.body, {attributes: true, attributeFilter: ["data-md-color-scheme"]})
})"""


def wait_for_scheme(page: Page, scheme: str) -> None:
    page.evaluate(_SCHEME_SHOWN, scheme)
