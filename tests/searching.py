"""Searching as a reader does, for every browser test that searches: real key events into Material's search box
(`page.keyboard`), then a wait until the search worker has answered every query the typing sent, so the result
list on screen is the one for what was typed. Never `fill()` (it fires no keyup, and Material searches on keyup),
never a sleep.

Call `watch_search(page)` before the page loads: it counts the messages between the page and its search worker
(Material's message types: 1 ready, 2 query, 3 result), whether the worker is a real one or, from file://, the
iframe-worker shim that Material's offline plugin uses.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

BOX = "input.md-search__input"
RESULTS = ".md-search-result__list > li.md-search-result__item"

PROBE = """(() => {
  const probe = window.__searchProbe = { ready: false, asked: 0, answered: 0, last: null }
  const watched = Base => Base && class extends Base {
    constructor(...args) {
      super(...args)
      this.addEventListener("message", ({ data }) => {
        if (data && data.type === 1) probe.ready = true
        if (data && data.type === 3) probe.answered++
      })
    }
    postMessage(message, ...rest) {
      if (message && message.type === 2) { probe.asked++; probe.last = message.data }
      return super.postMessage(message, ...rest)
    }
  }
  /* The shim replaces window.Worker from file://: watch whichever Worker the page ends up with. */
  let current = watched(window.Worker)
  Object.defineProperty(window, "Worker", { configurable: true, get: () => current,
                                            set: value => { current = watched(value) } })
})()"""

# Settled: the worker is ready, has answered every query sent, and the last one sent is what the box holds (until
# the keyup of the last key is handled, the box holds more than the last query sent).
SETTLED = """() => {
  const probe = window.__searchProbe, box = document.querySelector("input.md-search__input")
  return probe.ready && probe.asked === probe.answered && probe.last === box.value
}"""
# Before typing, in one look: whether the page is watched, whether the box has the focus, whether it holds text.
BOX_STATE = """() => {
  const box = document.querySelector("input.md-search__input")
  return {watched: !!window.__searchProbe, focused: document.activeElement === box, holds: !!box.value}
}"""


def watch_search(page: Page) -> None:
    """Count the page's search messages from its next load on (an init script, so call it before `goto`)."""
    page.add_init_script(PROBE)


def _focus_with_slash(page: Page) -> None:
    """Put the focus in the search box with Material's keyboard shortcut, as a reader without a mouse does."""
    page.keyboard.press("/")
    page.wait_for_function(f"() => !!document.activeElement?.matches('{BOX}')")


def type_query(page: Page, text: str, *, clear: bool = True, every_key: bool = True) -> None:
    """Type into the search box with key events (over what it holds, unless clear=False) and wait until the
    results shown are those of what the box then holds.

    every_key=False sends all but the last letter as one text input, as an input method or dictation does, and
    types the last key: one search instead of one per letter, for long query sets (the results read are the
    same: those of the whole query, searched on the last key's keyup)."""
    state = page.evaluate(BOX_STATE)
    assert state["watched"], "call watch_search(page) before loading the page"
    if not state["focused"]:
        _focus_with_slash(page)
    if clear and state["holds"]:
        # Select what the box holds: the next key typed replaces it, as it does for a reader (one search, not two).
        page.keyboard.press("Control+A")
        if not text:
            page.keyboard.press("Backspace")
    if not every_key and len(text) > 1:
        page.keyboard.insert_text(text[:-1])
        text = text[-1]
    page.keyboard.type(text)
    if text and not text[-1].isascii():
        # Playwright types a letter its US layout lacks ("é") as text input alone, without the keyup a French
        # keyboard sends; Material reads the box on keyup, so release a key, as the end of typing does.
        page.keyboard.press("Shift")
    page.wait_for_function(SETTLED)


def result_links(page: Page) -> list[str]:
    """The address of each result (one per page found), best first, as the list shows them."""
    return page.eval_on_selector_all(RESULTS, "items => items.map(item => item.querySelector('a').href)")


def search(page: Page, query: str, *, every_key: bool = True) -> list[str]:
    """Type a new query and return the addresses of its results."""
    type_query(page, query, every_key=every_key)
    return result_links(page)
