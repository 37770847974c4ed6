"""Accessibility: axe-core (npm, pinned in package.json) finds no violation of any impact on any page of either
language, in the light and in the dark colour scheme, and the keyboard alone reaches the search box, the language
switch and the print button."""
from __future__ import annotations

from pathlib import Path

import pytest

from browser import visit
from calcguide.content import LANGS
from conftest import PROJECT

pytestmark = pytest.mark.browser

AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
# What axe reports, cut down to what a failing test needs to say: rule, impact, the first elements.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v =>
    `${v.id} (${v.impact}): ` + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""
TABS_TO_TRY = 80


def pages_of(site: Path) -> list[Path]:
    # 404.html is for a web server: its links are absolute, and it is checked through nginx (test_nginx_csp.py).
    return sorted(page for page in site.rglob("*.html") if page.name != "404.html")


def test_every_page_of_both_languages_is_scanned(built):
    pages = pages_of(built.site_dir)
    for lang in LANGS:
        assert len([page for page in pages if page.relative_to(built.site_dir).parts[0] == lang]) > 10


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_any_page(built, browser, scheme):
    """The reader's system setting chooses the scheme (Material's palette follows prefers-color-scheme)."""
    axe = AXE.read_text(encoding="utf-8")
    violations = {}
    expected = "slate" if scheme == "dark" else "default"
    with visit(browser, viewport={"width": 1280, "height": 900}, color_scheme=scheme) as session:
        for page in pages_of(built.site_dir):
            session.page.goto(page.as_uri())
            if page.parent != built.site_dir:  # the language chooser has no theme
                assert session.page.get_attribute("body", "data-md-color-scheme") == expected
            session.page.add_script_tag(content=axe)
            if found := session.page.evaluate(RUN_AXE):
                violations[page.relative_to(built.site_dir).as_posix()] = found
    assert violations == {}


def focused_elements(page, tabs: int) -> list[dict]:
    """Press Tab from the top of the page; what had the focus after each press."""
    seen = []
    for _ in range(tabs):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("""() => {
          const element = document.activeElement;
          return {tag: element.tagName.toLowerCase(), classes: element.className || "",
                  hreflang: element.getAttribute("hreflang") || "",
                  visible: !!(element.offsetWidth || element.offsetHeight || element.getClientRects().length)};
        }"""))
    return seen


@pytest.mark.parametrize("lang", LANGS)
def test_keyboard_reaches_search_language_switch_and_print(built, browser, lang):
    other = next(code for code in LANGS if code != lang)
    with visit(browser, viewport={"width": 1280, "height": 900}) as session:
        session.page.goto((built.site_dir / lang / "index.html").as_uri())
        focused = [element for element in focused_elements(session.page, TABS_TO_TRY) if element["visible"]]
    assert any("md-search__input" in element["classes"] for element in focused), focused
    assert any(element["tag"] == "a" and element["hreflang"] == other for element in focused), focused
    assert any("cg-print-button" in element["classes"] for element in focused), focused
