"""Accessibility by keyboard: the keyboard alone reaches the search box, the language switch and the print button.
axe-core scans every page in both colour schemes in tests/test_every_page.py."""
from __future__ import annotations

import pytest

from browser import visit
from calcguide.content import LANGS

pytestmark = pytest.mark.browser

TABS_TO_TRY = 80


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
def test_keyboard_reaches_search_language_switch_and_print(bundle, browser, lang):
    other = next(code for code in LANGS if code != lang)
    with visit(browser, viewport={"width": 1280, "height": 900}) as session:
        session.page.goto((bundle / lang / "index.html").as_uri())  # from file://: the offline bundle
        focused = [element for element in focused_elements(session.page, TABS_TO_TRY) if element["visible"]]
    assert any("md-search__input" in element["classes"] for element in focused), focused
    assert any(element["tag"] == "a" and element["hreflang"] == other for element in focused), focused
    assert any("cg-print-button" in element["classes"] for element in focused), focused
