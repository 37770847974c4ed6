"""Dark mode: the site follows the reader's system setting, the header toggle (ours, templates/theme/partials/
palette.html) switches it by keyboard in both languages and remembers the choice, also in the offline bundle
(file://, under its Content-Security-Policy), and paper is always printed light."""
from __future__ import annotations

import pytest

from browser import visit, wait_for_scheme

pytestmark = pytest.mark.browser

BACKGROUND = "(selector) => getComputedStyle(document.querySelector(selector)).backgroundColor"
LIGHT = "rgb(255, 255, 255)"
TOGGLE = "[data-cg-scheme-toggle]"
HOME = {"en": "en/index.html", "fr": "fr/index.html"}


def scheme(page) -> str:
    return page.get_attribute("body", "data-md-color-scheme")


def tab_to(page, selector: str) -> None:
    """Press Tab until the element has the focus, as a keyboard user reaches it."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    pytest.fail(f"{selector} is not reachable with the Tab key")


def test_the_system_setting_chooses_the_scheme(browser, built):
    for system, expected in (("light", "default"), ("dark", "slate")):
        with visit(browser, color_scheme=system) as tab:
            tab.page.goto((built.site_dir / "fr" / "index.html").as_uri())
            assert scheme(tab.page) == expected
            assert tab.console_errors == [] and tab.outside_requests == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_toggle_switches_the_scheme_from_the_keyboard_in_the_offline_bundle(browser, bundle, catalogue, lang):
    with visit(browser, color_scheme="light", viewport={"width": 1280, "height": 900}) as tab:
        tab.page.goto((bundle / HOME[lang]).as_uri())
        toggle = tab.page.locator(TOGGLE)
        assert toggle.get_attribute("aria-label") == catalogue.ui["dark_mode"][lang]
        tab_to(tab.page, TOGGLE)
        tab.page.keyboard.press("Enter")
        wait_for_scheme(tab.page, "slate")
        assert toggle.get_attribute("aria-label") == catalogue.ui["light_mode"][lang]
        tab.page.keyboard.press("Space")
        wait_for_scheme(tab.page, "default")
        assert toggle.get_attribute("aria-label") == catalogue.ui["dark_mode"][lang]
        # The page's policy let both our scripts run (a refused inline script logs an error).
        assert tab.console_errors == [] and tab.outside_requests == []


def test_the_choice_outlasts_the_page_and_the_system_setting_in_both_languages(browser, bundle):
    with visit(browser, color_scheme="light") as tab:
        tab.page.goto((bundle / HOME["en"]).as_uri())
        tab.page.click(TOGGLE)
        tab.page.goto((bundle / HOME["fr"]).as_uri())
        assert scheme(tab.page) == "slate"
        tab.page.click(TOGGLE)
        tab.page.emulate_media(color_scheme="dark")  # a choice made stays when the system setting changes
        tab.page.reload()
        assert scheme(tab.page) == "default"
        assert tab.console_errors == []


def test_without_javascript_the_toggle_that_could_do_nothing_is_not_shown(browser, built):
    with visit(browser, java_script_enabled=False) as tab:
        tab.page.goto((built.site_dir / HOME["en"]).as_uri())
        assert tab.page.locator(TOGGLE).is_hidden()


def test_a_dark_page_prints_light(browser, built):
    with visit(browser, color_scheme="dark") as tab:
        tab.page.goto((next((built.site_dir / "en").glob("*/diltiazem.html"))).as_uri())
        assert tab.page.evaluate(BACKGROUND, "body") != LIGHT
        tab.page.emulate_media(media="print", color_scheme="dark")
        assert tab.page.evaluate(BACKGROUND, "body") == LIGHT
