"""What a page must be on a phone, measured in a loaded page: how wide it scrolls at a phone's width, and which
links and buttons are smaller than a tap target of 24 × 24 pixels (WCAG 2.2, 2.5.8)."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

PHONE_WIDTHS = (360, 390)
PHONE_HEIGHT = 800
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
# Two frames after a resize: the theme's scripts have answered the resize event, and the page is laid out again.
TWO_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def phone_view(page: Page, width: int) -> tuple[int, list[str]]:
    """The loaded page at a phone's width: how wide it scrolls, and its controls under the tap target size.
    Call browser.without_transitions(page) first: a resize starts transitions."""
    page.set_viewport_size({"width": width, "height": PHONE_HEIGHT})
    page.evaluate(TWO_FRAMES)
    return page.evaluate("document.documentElement.scrollWidth"), page.evaluate(SMALL_TARGETS, TARGET)
