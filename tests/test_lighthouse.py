"""Lighthouse (npm `lighthouse` 12.8.2, pinned in package-lock.json, driving Debian's Chromium) scores accessibility,
best practices and SEO at 100 on the home page, the algorithm, a treatment page and Safety at a glance, served by
deploy/nginx.conf as readers get them. The performance score is the benchmark's (bench/run.py), not a test's.

Flags: Lighthouse's defaults (mobile emulation, simulated throttling: neither changes these three categories),
categories limited to the three; Chromium `--headless=new --no-sandbox --disable-gpu --ignore-certificate-errors`
(the test server's certificate is its own). One Node process and one browser for all pages (tests/lighthouse.mjs).
"""
from __future__ import annotations

import json
import os
import subprocess

import pytest

from conftest import PROJECT
from test_nginx_csp import nginx  # noqa: F401 - the fixture: deploy/nginx.conf over the built site, on loopback

pytestmark = [pytest.mark.browser, pytest.mark.checker]

VERSION = "12.8.2"
CATEGORIES = ("accessibility", "best-practices", "seo")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --ignore-certificate-errors"
# The four pages of the performance issue, two in each language.
PAGES = [("home", "en"), ("algorithm", "fr"), ("treatment", "fr"), ("safety", "en")]


def page_path(catalogue, kind: str, lang: str) -> str:
    if kind == "treatment":
        return f"{lang}/{catalogue.pages['treatment'].slug[lang]}/diltiazem.html"
    return f"{lang}/{catalogue.pages[kind].slug[lang]}.html"


@pytest.fixture(scope="module")
def reports(nginx, catalogue) -> dict[tuple[str, str], dict]:  # noqa: F811
    addresses = {(kind, lang): f"{nginx}/{page_path(catalogue, kind, lang)}" for kind, lang in PAGES}
    done = subprocess.run(["node", str(PROJECT / "tests" / "lighthouse.mjs"), CHROME_FLAGS, ",".join(CATEGORIES),
                           *addresses.values()], cwd=PROJECT, capture_output=True, text=True, timeout=900,
                          env=os.environ | {"CHROME_PATH": "/usr/bin/chromium"})
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    return {page: results[address] for page, address in addresses.items()}


@pytest.mark.parametrize(("kind", "lang"), PAGES)
def test_lighthouse_scores_accessibility_best_practices_and_seo_at_100(reports, kind, lang):
    report = reports[(kind, lang)]
    assert report["version"] == VERSION and report["runtimeError"] is None
    assert report["scores"] == dict.fromkeys(CATEGORIES, 1), report["failing"]
