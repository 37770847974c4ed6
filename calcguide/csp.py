"""Content-Security-Policy for the hosted site: the sha256 of each inline script our templates write, and of no
other, written as an nginx include next to the offline bundle (dist/nginx-csp.conf).

The scripts are listed at their source: templates/inline-scripts.yml names the theme templates that write inline
scripts. Each is rendered here with a placeholder for the page's base URL (the one part that differs from page to
page: ".", "..", or the absolute path of the 404 page), which gives the exact text each page may hold. An inline
script of the output that matches none of them fails the build (calcguide/audit.py), so an injected script can
never obtain a hash of its own.
"""
from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Callable

import yaml

from .audit import OutputCheckError, inline_scripts

NGINX_CSP_INCLUDE = "nginx-csp.conf"
SCRIPT_LIST = Path("templates/inline-scripts.yml")
_PLACEHOLDER = "\ue000base-url\ue000"
# A page's base URL as MkDocs writes it: relative ("." or "../..") or, for the 404 page, an absolute path.
_BASE_URL = r"(?:\.|\.\.(?:/\.\.)*|/[A-Za-z0-9._~%/-]*)"

# Nothing unless named (default-src 'none'): scripts, styles, images, fonts, the search index and its worker from the
# site itself; images may also be data: URIs (the theme's icons in its stylesheet).
POLICY = ("default-src 'none'; script-src 'self' {hashes}; style-src 'self'; img-src 'self' data:; "
          "font-src 'self'; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; "
          "form-action 'self'; frame-ancestors 'none'")


class OurScripts:
    """The inline scripts our templates write; `allows(source)` says whether a script is one of them."""

    def __init__(self, patterns: list[re.Pattern]):
        self.patterns = patterns

    @classmethod
    def from_templates(cls, project: Path, features: list[str]) -> "OurScripts":
        from mkdocs.theme import Theme

        env = Theme(name="material", custom_dir=str(project / "templates" / "theme")).get_env()
        names = yaml.safe_load((project / SCRIPT_LIST).read_text(encoding="utf-8")) or []
        patterns = []
        for name in names:
            html = env.get_template(name).render(base_url=_PLACEHOLDER, config={"extra": {}}, features=features)
            for source in inline_scripts(html):
                patterns.append(re.compile(re.escape(source).replace(re.escape(_PLACEHOLDER), _BASE_URL)))
        return cls(patterns)

    def allows(self, source: str) -> bool:
        return any(pattern.fullmatch(source) for pattern in self.patterns)

    @property
    def key(self) -> str:
        """What `allows` allows, as text (a key of the remembered verdicts, calcguide/verdicts.py)."""
        return "\n".join(pattern.pattern for pattern in self.patterns)


def script_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii") + "'"


# The inline scripts of a page: audit.inline_scripts, or the same remembered between builds (calcguide/verdicts.py).
ScriptsOf = Callable[[str], list[str]]


def inline_script_hashes(site_dir: Path, ours: OurScripts, scripts_of: ScriptsOf = inline_scripts) -> list[str]:
    """CSP source expressions of every distinct inline script of the built pages; each must be one of ours."""
    hashes, strangers = set(), []
    for page in sorted(site_dir.rglob("*.html")):
        for source in scripts_of(page.read_text(encoding="utf-8")):
            if ours.allows(source):
                hashes.add(script_hash(source))
            else:
                strangers.append(f"{page.relative_to(site_dir).as_posix()}: an inline script that our templates "
                                 f"did not write: {source[:60]!r}")
    if strangers:
        raise OutputCheckError(strangers)
    return sorted(hashes)


def content_security_policy(site_dir: Path, ours: OurScripts, scripts_of: ScriptsOf = inline_scripts) -> str:
    return POLICY.format(hashes=" ".join(inline_script_hashes(site_dir, ours, scripts_of)))


# The offline bundle has no server to send the policy: each of its pages carries it as a <meta http-equiv>
# (frame-ancestors is ignored there, so left out). From file://, Material's search runs its worker through the
# iframe-worker shim, which writes one inline script into a blank frame of the page (which inherits the page's
# policy); that script names the page's worker address, so it is hashed per page.
OFFLINE_POLICY = ("default-src 'self'; script-src 'self'{hashes}; style-src 'self'; img-src 'self' data:; "
                  "font-src 'self'; connect-src 'self'; worker-src 'self'; frame-src 'self'; object-src 'none'; "
                  "base-uri 'self'; form-action 'self'")
_SHIM_FRAME = re.compile(r"document\.write\(`<html><body><script>(.*?)<\\/script>")
_WORKER = re.compile(r'"search":\s*"([^"]+)"')


def _function_source(source: str, name: str) -> str:
    """The text of `function name(…){…}` in minified source, as Function.prototype.toString gives it."""
    start = source.index(f"function {name}(")
    depth, position = 0, source.index("{", start)
    while True:
        depth += {"{": 1, "}": -1}.get(source[position], 0)
        position += 1
        if depth == 0:
            return source[start:position]


def shim_frame_script(shim_source: str, worker: str) -> str:
    """The inline script the iframe-worker shim writes into its frame, for a worker at `worker`."""
    template = _SHIM_FRAME.search(shim_source).group(1)
    return (template.replace("${c}", _function_source(shim_source, "c"))
            .replace("${d}", _function_source(shim_source, "d")).replace("${e}", worker))


def offline_policy(html: str, ours: OurScripts, shim_source: str | None, scripts_of: ScriptsOf = inline_scripts) -> str:
    """The policy of one page of the offline bundle: its own inline scripts (each one of ours) and its shim's."""
    scripts = [source for source in scripts_of(html) if ours.allows(source)]
    worker = _WORKER.search(html)
    if shim_source and worker:
        scripts.append(shim_frame_script(shim_source, worker.group(1)))
    digests = sorted({script_hash(source) for source in scripts})
    return OFFLINE_POLICY.format(hashes="".join(f" {digest}" for digest in digests))


def with_policy_meta(html: str, policy: str) -> str:
    """html with the policy as the first element after its <meta charset> (it governs only what follows it)."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    charset = re.search(r"<meta charset=[^>]*>", html, re.IGNORECASE)
    if charset is None:
        raise OutputCheckError(["a page of the offline bundle has no <meta charset> to put its policy after"])
    return html[:charset.end()] + meta + html[charset.end():]


def write_nginx_csp(site_dir: Path, dist_dir: Path, ours: OurScripts, scripts_of: ScriptsOf = inline_scripts) -> Path:
    """The policy of this build as an nginx `add_header` line, included by deploy/nginx.conf."""
    target = dist_dir / NGINX_CSP_INCLUDE
    target.write_text(
        "# Generated by the build (calcguide/csp.py) for the inline scripts listed in templates/inline-scripts.yml;"
        " do not edit.\n"
        f'add_header Content-Security-Policy "{content_security_policy(site_dir, ours, scripts_of)}" always;\n',
        encoding="utf-8",
    )
    return target
