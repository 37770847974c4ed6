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
# What axe reports, cut down to what a failing test needs to say: rule, impact, the first elements. Given a tag,
# only the rules of that tag that axe runs by default (it leaves out the AAA and experimental ones).
RUN_AXE = """async (tag) => {
  const rules = tag && axe.getRules([tag]).filter(rule => !rule.tags.some(other => ["wcag2aaa", "experimental"]
                                                                                   .includes(other)))
  const result = await axe.run(document, {resultTypes: ["violations"],
                                          ...(rules ? {runOnly: {type: "rule", values: rules.map(rule => rule.ruleId)}} : {})});
  return result.violations.map(v =>
    `${v.id} (${v.impact}): ` + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""
# The scheme changes colours and nothing else: in the dark one, axe's colour rules are those whose verdict can
# change (contrast, links told apart by colour); every other rule reads structure, checked in the light scheme.
COLOUR_RULES = "cat.color"
TABS_TO_TRY = 80


# Material's palette script, run at load, gives the body the scheme of the palette entry whose media query
# matches the system setting; this does the same for the dark entry, on a page already loaded.
TO_DARK = """() => {
  const entry = document.querySelector("[data-md-color-media='(prefers-color-scheme: dark)']")
  if (entry) for (const key of ["scheme", "primary", "accent"])
    document.body.setAttribute(`data-md-color-${key}`, entry.getAttribute(`data-md-color-${key}`))
}"""
# Colours change over short transitions; without them the dark colours are there at once, for axe to read.
NO_TRANSITIONS = "*, *::before, *::after { transition: none !important }"


def pages_of(site: Path) -> list[Path]:
    # 404.html is for a web server: its links are absolute, and it is checked through nginx (test_nginx_csp.py).
    return sorted(page for page in site.rglob("*.html") if page.name != "404.html")


@pytest.fixture(scope="module")
def violations(built, browser) -> dict[str, dict[str, list[str]]]:
    """axe on every page in the light scheme, then on the same page in the dark one: the body given the dark
    palette entry, as Material's palette script does at load for a reader whose system is dark
    (tests/test_dark_mode.py checks that it does). No stylesheet of ours or of the chooser reads the system
    setting itself, so this is the whole of what dark changes; one load per page serves both scans."""
    found = {"light": {}, "dark": {}}
    with visit(browser, viewport={"width": 1280, "height": 900}, color_scheme="light") as session:
        session.page.context.add_init_script(path=AXE)
        for page in pages_of(built.site_dir):
            name = page.relative_to(built.site_dir).as_posix()
            session.page.goto(page.as_uri())
            if page.parent != built.site_dir:  # the language chooser has no theme
                assert session.page.get_attribute("body", "data-md-color-scheme") == "default", name
            if light := session.page.evaluate(RUN_AXE, None):
                found["light"][name] = light
            session.page.add_style_tag(content=NO_TRANSITIONS)
            session.page.evaluate(TO_DARK)
            if page.parent != built.site_dir:
                assert session.page.get_attribute("body", "data-md-color-scheme") == "slate", name
            if dark := session.page.evaluate(RUN_AXE, COLOUR_RULES):
                found["dark"][name] = dark
    return found


def test_every_page_of_both_languages_is_scanned(built):
    pages = pages_of(built.site_dir)
    for lang in LANGS:
        assert len([page for page in pages if page.relative_to(built.site_dir).parts[0] == lang]) > 10


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_any_page(violations, scheme):
    assert violations[scheme] == {}


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
