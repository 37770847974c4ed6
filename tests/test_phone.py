"""Reading on a phone: wide tables become cards, and a page narrowed to a phone's width is the page a phone loads
(tests/test_every_page.py checks every page at 360 and 390 CSS pixels that way: no sideways scrolling, tap targets
of at least 24 × 24 pixels)."""
from __future__ import annotations

import pytest

from browser import visit, without_transitions
from calcguide.content import LANGS
from phone import PHONE_HEIGHT, PHONE_WIDTHS, SMALL_TARGETS, TARGET, phone_view

pytestmark = pytest.mark.browser

# Pages whose layout a phone changes most: the wide tables, the chart, the long list.
SAMPLE = ("safety", "algorithm", "references")


def test_a_page_narrowed_to_a_phone_is_the_page_loaded_on_that_phone(browser, built, catalogue):
    """tests/test_every_page.py narrows each page it has loaded on a desktop screen, rather than loading it again
    at each width: on the pages a phone changes most, both ways give the same width and the same small targets."""
    pages = [built.site_dir / lang / f"{catalogue.pages[kind].slug[lang]}.html" for lang in LANGS for kind in SAMPLE]
    with visit(browser, viewport={"width": 1280, "height": 900}) as desktop:
        narrowed = {}
        for page in pages:
            desktop.page.goto(page.as_uri())
            without_transitions(desktop.page)
            narrowed[page] = {width: phone_view(desktop.page, width) for width in PHONE_WIDTHS}
    for width in PHONE_WIDTHS:
        with visit(browser, viewport={"width": width, "height": PHONE_HEIGHT}) as phone:
            for page in pages:
                phone.page.goto(page.as_uri())
                loaded = (phone.page.evaluate("document.documentElement.scrollWidth"),
                          phone.page.evaluate(SMALL_TARGETS, TARGET))
                assert narrowed[page][width] == loaded, page.relative_to(built.site_dir).as_posix()


def test_wide_tables_become_cards_with_their_column_names(browser, built):
    treatments = built.site_dir / "en" / "treatments.html"
    with visit(browser, viewport={"width": 360, "height": 800}) as tab:
        tab.page.goto(treatments.as_uri())
        cell = tab.page.locator("table.cg-cards td[data-label]").nth(1)
        label = cell.get_attribute("data-label")
        assert label and tab.page.evaluate("(cell) => getComputedStyle(cell, '::before').content", cell.element_handle()) \
            == f'"{label}"'
