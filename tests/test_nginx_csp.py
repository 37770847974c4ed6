"""Hosting: deploy/nginx.conf, run by Debian's nginx on loopback over the built site, sends the security headers,
compresses, caches the fingerprinted theme files for a year, and every page loads in Chromium with zero
Content-Security-Policy violations (the policy allows the theme's inline scripts by hash, never 'unsafe-inline')."""
from __future__ import annotations

import gzip
import os
import shutil
import socket
import ssl
import subprocess
import urllib.error
import urllib.request
from contextlib import closing

import pytest

from browser import visit
from calcguide.content import LANGS
from conftest import PROJECT, is_redirect_page
from searching import search, watch_search

pytestmark = pytest.mark.browser

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SERVER_ROOT = "/srv/calcinosis-guide"  # where deploy/nginx.conf expects the site; the test points it elsewhere
# Every violation the page reports, whatever logs it.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
  event => window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`));
"""


NOT_FOUND_LOGGED = "Failed to load resource: the server responded with a status of 404"

PLAIN_PORT: dict[str, int] = {}  # origin of the TLS server → port of its plain-HTTP redirect server


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def nginx(built, tmp_path_factory: pytest.TempPathFactory) -> str:
    """deploy/nginx.conf served by nginx on a free loopback port, with temporary paths; yields the origin."""
    root = tmp_path_factory.mktemp("nginx")
    shutil.copytree(PROJECT / "deploy", root / "deploy")
    (root / "site").symlink_to(built.site_dir)
    (root / "dist").symlink_to(built.dist_dir)
    port, tls_port = free_port(), free_port()
    certificates = root / "tls"
    certificates.mkdir()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(certificates / "privkey.pem"), "-out", str(certificates / "fullchain.pem")],
                   check=True, capture_output=True)
    server = (PROJECT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    server = server.replace(SERVER_ROOT, str(root)).replace("/etc/ssl/calcinosis-guide", str(certificates))
    server = server.replace("listen [::]:80;", "").replace("listen [::]:443 ssl http2;", "")
    server = server.replace("listen 80;", f"listen 127.0.0.1:{port};")
    server = server.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{tls_port} ssl http2;")
    # The redirect names the standard port; here the TLS server listens on another one.
    server = server.replace("return 301 https://$host$request_uri;", f"return 301 https://$host:{tls_port}$request_uri;")
    (root / "server.conf").write_text(server, encoding="utf-8")
    (root / "nginx.conf").write_text(f"""
daemon off;
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    include {root}/server.conf;
}}
""", encoding="utf-8")
    process = subprocess.Popen([NGINX, "-p", str(root), "-e", str(root / "error.log"), "-c", str(root / "nginx.conf")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    origin = f"https://127.0.0.1:{tls_port}"
    PLAIN_PORT[origin] = port
    try:
        while process.poll() is None:  # wait until nginx listens (or fails)
            try:
                with closing(socket.create_connection(("127.0.0.1", tls_port), timeout=1)):
                    break
            except OSError:
                continue
        if process.poll() is not None:
            pytest.fail(f"nginx did not start: {process.stdout.read().decode()} "
                        f"{(root / 'error.log').read_text() if (root / 'error.log').exists() else ''}")
        yield origin
    finally:
        process.terminate()
        process.wait(timeout=30)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003 - urllib's signature
        return None


# The test's certificate is its own (self-signed): not verified; redirects are looked at, not followed.
_OPENER = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ssl._create_unverified_context()),
                                      _NoRedirect())


def fetch(url: str, **headers: str):
    request = urllib.request.Request(url, headers=headers)
    try:
        return _OPENER.open(request, timeout=30)
    except urllib.error.HTTPError as error:
        return error


def test_the_built_policy_allows_inline_scripts_by_hash_only(built):
    include = (built.dist_dir / "nginx-csp.conf").read_text(encoding="utf-8")
    policy = include.split('"')[1]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "'sha256-" in script_src


def test_pages_are_served_with_the_security_headers(nginx):
    for path in ("/", "/en/index.html", "/fr/index.html", "/en/no-such-page.html"):
        response = fetch(nginx + path)
        headers = response.headers
        assert "script-src 'self' 'sha256-" in headers["Content-Security-Policy"], path
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "camera=()" in headers["Permissions-Policy"]
    assert fetch(nginx + "/en/no-such-page.html").status == 404


def test_the_policy_starts_from_nothing_and_files_are_for_this_site_only(nginx):
    for path in ("/en/index.html", "/fr/index.html", "/fr/no-such-page.html", "/en/calcinosis-guide-references.ris"):
        headers = fetch(nginx + path).headers
        assert headers["Content-Security-Policy"].startswith("default-src 'none'; "), path
        assert headers["Cross-Origin-Resource-Policy"] == "same-origin", path


@pytest.mark.parametrize("lang", LANGS)
def test_reference_exports_are_served_with_their_own_types(nginx, built, lang):
    expected = {".ris": "application/x-research-info-systems", ".bib": "application/x-bibtex"}
    for suffix, media_type in expected.items():
        [export] = (built.site_dir / lang).glob(f"*{suffix}")
        response = fetch(f"{nginx}/{lang}/{export.name}")
        assert response.status == 200
        assert response.headers["Content-Type"] == f"{media_type}; charset=utf-8"
        assert response.read() == export.read_bytes()


@pytest.mark.parametrize("lang", LANGS)
def test_a_missing_page_gets_the_error_page_of_its_language(nginx, lang):
    response = fetch(f"{nginx}/{lang}/no-such-page.html")
    assert response.status == 404
    assert f'<html lang="{lang}"' in response.read().decode("utf-8")


def test_robots_txt_allows_every_page_and_names_no_address_without_one(nginx):
    response = fetch(f"{nginx}/robots.txt")
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
    text = response.read().decode("utf-8")
    assert text.splitlines()[:2] == ["User-agent: *", "Allow: /"]
    assert "Sitemap" not in text and "http" not in text


def test_text_is_compressed_and_fingerprinted_theme_files_are_cached_for_a_year(nginx, built):
    (stylesheet,) = (built.site_dir / "en" / "assets" / "stylesheets").glob("main.*.min.css")
    response = fetch(f"{nginx}/en/assets/stylesheets/{stylesheet.name}", **{"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.read()) == stylesheet.read_bytes()
    assert "max-age=31536000" in response.headers["Cache-Control"] and "immutable" in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # the headers survive the location's own
    page = fetch(f"{nginx}/en/index.html", **{"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert page.headers["Cache-Control"] == "no-cache"


def test_every_page_loads_with_no_csp_violation_outside_request_or_console_error(nginx, built, browser):
    """The hosted site as readers get it (this is also the loopback check of the offline promise: nothing is
    fetched from outside the site, and no page logs an error)."""
    pages = ["/" + page.relative_to(built.site_dir).as_posix() for page in sorted(built.site_dir.rglob("*.html"))
             if not is_redirect_page(page)]  # the server answers those with a 301 (tests/test_page_names.py)
    pages.append("/en/no-such-page.html")  # the 404 page, as a server shows it
    problems = {}
    with visit(browser, allowed_origin=nginx, ignore_https_errors=True) as session:
        session.page.add_init_script(RECORD_VIOLATIONS)
        for path in pages:
            requests, errors = len(session.outside_requests), len(session.console_errors)
            session.page.goto(nginx + path)
            session.page.wait_for_load_state("load")
            found = session.page.evaluate("window.__cspViolations")
            if path.endswith("no-such-page.html"):  # the browser logs the page's own 404 status
                session.console_errors[errors:] = [text for text in session.console_errors[errors:]
                                                   if not text.startswith(NOT_FOUND_LOGGED)]
            if found := found + session.outside_requests[requests:] + session.console_errors[errors:]:
                problems[path] = found
        # Search runs in a web worker: open it in each language and search, under the same policy.
        watch_search(session.page)
        for lang in LANGS:
            session.page.goto(f"{nginx}/{lang}/index.html")
            assert search(session.page, "colchicine"), f"/{lang}/: no search result under the policy"
            if found := session.page.evaluate("window.__cspViolations"):
                problems[f"/{lang}/ search"] = found
        assert session.console_errors == []
    assert session.outside_requests == []
    assert problems == {}


def test_an_inline_script_the_build_did_not_hash_is_blocked_and_reported(nginx, browser):
    with visit(browser, allowed_origin=nginx, ignore_https_errors=True) as session:
        session.page.add_init_script(RECORD_VIOLATIONS)
        session.page.goto(f"{nginx}/en/index.html")
        session.page.evaluate("""() => { const script = document.createElement("script");
                                        script.textContent = "window.__injected = true"; document.head.append(script); }""")
        session.page.wait_for_function("() => window.__cspViolations.length > 0")
        assert session.page.evaluate("window.__injected === undefined")


def test_a_former_address_answers_301_to_its_page_with_the_security_headers(nginx):
    response = fetch(f"{nginx}/fr/traitements/jak-inhibitors.html")
    assert response.status == 301
    assert response.headers["Location"] == f"{nginx}/fr/traitements/inhibiteurs-de-jak.html"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert fetch(response.headers["Location"]).status == 200


def test_plain_http_is_sent_to_https_with_the_security_headers(nginx):
    response = fetch(f"http://127.0.0.1:{PLAIN_PORT[nginx]}/en/index.html?x=1")
    assert response.status == 301
    assert response.headers["Location"] == f"{nginx}/en/index.html?x=1"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_https_responses_carry_hsts_errors_included(nginx):
    for path in ("/en/index.html", "/en/no-such-page.html", "/en/assets/"):
        response = fetch(nginx + path)
        assert response.headers["Strict-Transport-Security"].startswith("max-age="), path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert "script-src 'self'" in response.headers["Content-Security-Policy"], path


def test_a_tapped_citation_shows_its_reference_under_the_policy(nginx, browser):
    with visit(browser, allowed_origin=nginx, ignore_https_errors=True, has_touch=True,
               is_mobile=True) as session:
        session.page.add_init_script(RECORD_VIOLATIONS)
        session.page.goto(f"{nginx}/fr/traitements/diltiazem.html")
        session.page.locator("a.cite").first.tap()
        session.page.locator(".cg-refpop").wait_for(state="visible")
        assert session.page.evaluate("window.__cspViolations") == []
        assert session.console_errors == []
