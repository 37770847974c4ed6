"""Dark mode: the site follows the reader's system setting, the header toggle switches it by keyboard, and paper
is always printed light."""
from __future__ import annotations

import pytest

from browser import visit

pytestmark = pytest.mark.browser

BACKGROUND = "(selector) => getComputedStyle(document.querySelector(selector)).backgroundColor"
LIGHT = "rgb(255, 255, 255)"


def scheme(page) -> str:
    return page.get_attribute("body", "data-md-color-scheme")


def test_the_system_setting_chooses_the_scheme(browser, built):
    for system, expected in (("light", "default"), ("dark", "slate")):
        with visit(browser, color_scheme=system) as tab:
            tab.page.goto((built.site_dir / "fr" / "index.html").as_uri())
            assert scheme(tab.page) == expected
            assert tab.console_errors == [] and tab.outside_requests == []


def test_the_toggle_switches_the_scheme_from_the_keyboard(browser, built):
    with visit(browser, color_scheme="light", viewport={"width": 1280, "height": 900}) as tab:
        tab.page.goto((built.site_dir / "en" / "index.html").as_uri())
        for _ in range(40):
            tab.page.keyboard.press("Tab")
            if tab.page.evaluate("document.activeElement.matches('[data-md-component=palette] input')"):
                break
        else:
            pytest.fail("the scheme toggle is not reachable with the Tab key")
        tab.page.keyboard.press("ArrowDown")  # the schemes are a group of radio buttons
        tab.page.wait_for_function("document.body.dataset.mdColorScheme === 'slate'")


def test_a_dark_page_prints_light(browser, built):
    with visit(browser, color_scheme="dark") as tab:
        tab.page.goto((next((built.site_dir / "en").glob("*/diltiazem.html"))).as_uri())
        assert tab.page.evaluate(BACKGROUND, "body") != LIGHT
        tab.page.emulate_media(media="print", color_scheme="dark")
        assert tab.page.evaluate(BACKGROUND, "body") == LIGHT
