"""Reading on a phone: no page of either language scrolls sideways at 360 or 390 CSS pixels, and every link and
button is a tap target of at least 24 × 24 pixels (WCAG 2.2, 2.5.8), citation numbers included."""
from __future__ import annotations

from pathlib import Path

import pytest

from browser import visit

pytestmark = pytest.mark.browser

PHONE_WIDTHS = (360, 390)
TARGET = 24

# Every visible control: its text and size when either side is under the target size. Controls the theme hides
# by transparency (the search box's Clear button before anything is typed) take no tap.
SMALL_TARGETS = """(target) => Array.from(document.querySelectorAll('a[href], button, summary, input, label[for]'))
  .filter(element => {
    const box = element.getBoundingClientRect(), style = getComputedStyle(element);
    const shown = box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.opacity !== '0';
    return shown && (box.width < target || box.height < target);
  })
  .map(element => `${element.tagName.toLowerCase()} "${element.textContent.trim().slice(0, 30)}" `
       + `${Math.round(element.getBoundingClientRect().width)}×${Math.round(element.getBoundingClientRect().height)}`)"""


def site_pages(site_dir: Path) -> list[Path]:
    return sorted(page for page in site_dir.glob("*/**/*.html") if page.name != "404.html")


@pytest.fixture(scope="module")
def pages(built) -> list[Path]:
    found = site_pages(built.site_dir)
    assert len(found) > 40
    return found


@pytest.fixture(scope="module")
def phone_views(browser, pages) -> dict[int, dict[str, tuple[int, list[str]]]]:
    """Every page loaded at each phone width: how wide it scrolls, and its controls under the target size."""
    views = {}
    for width in PHONE_WIDTHS:
        views[width] = {}
        with visit(browser, viewport={"width": width, "height": 800}) as tab:
            for page in pages:
                tab.page.goto(page.as_uri())
                views[width][page.relative_to(page.parents[1]).as_posix()] = (
                    tab.page.evaluate("document.documentElement.scrollWidth"),
                    tab.page.evaluate(SMALL_TARGETS, TARGET))
    return views


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_no_page_is_wider_than_a_phone(phone_views, width):
    too_wide = {name: scroll_width for name, (scroll_width, _) in phone_views[width].items() if scroll_width > width}
    assert too_wide == {}


@pytest.mark.parametrize("width", PHONE_WIDTHS)
def test_every_control_is_a_big_enough_tap_target(phone_views, width):
    small = {name: controls for name, (_, controls) in phone_views[width].items() if controls}
    assert small == {}


def test_wide_tables_become_cards_with_their_column_names(browser, built):
    treatments = built.site_dir / "en" / "treatments.html"
    with visit(browser, viewport={"width": 360, "height": 800}) as tab:
        tab.page.goto(treatments.as_uri())
        cell = tab.page.locator("table.cg-cards td[data-label]").nth(1)
        label = cell.get_attribute("data-label")
        assert label and tab.page.evaluate("(cell) => getComputedStyle(cell, '::before').content", cell.element_handle()) \
            == f'"{label}"'
