"""The output policy, in one place: what a content fragment may hold (enforced by nh3, the binding of the Rust
sanitiser ammonia), and what a published page may hold (enforced by the audit stage, calcguide/audit.py).

Allow, don't deny: each list names what may appear; anything else fails the build with its location.
"""
from __future__ import annotations

import nh3

# --- content fragments (calcguide/fragments.py) ------------------------------------------------------------------

FRAGMENT_TAGS = frozenset({"p", "ul", "ol", "li", "em", "strong", "a", "br", "abbr"})
FRAGMENT_ATTRIBUTES = {"a": {"href", "data-cg-ref"}, "abbr": {"title"}, "ol": {"start"}}
FRAGMENT_CLASSES = {"a": {"cite"}}  # allowed classes (ammonia wants class out of the attributes)
LINK_SCHEMES = frozenset({"https", "http", "mailto"})


def _fragment_attribute(tag: str, attribute: str, value: str) -> str | None:
    # ammonia lets relative URLs through; a fragment's may only be an anchor or a path of the site (a citation's
    # "../references.html#id"), never "//host" or "\\host", which leave the site.
    if attribute == "href" and ":" not in value.split("/", 1)[0] and value.lstrip()[:2] in ("//", "\\\\", "/\\", "\\/"):
        return None
    return value


_CLEANER = nh3.Cleaner(tags=set(FRAGMENT_TAGS), attributes={tag: set(names) for tag, names in FRAGMENT_ATTRIBUTES.items()},
                       allowed_classes={tag: set(names) for tag, names in FRAGMENT_CLASSES.items()},
                       url_schemes=set(LINK_SCHEMES), link_rel=None, strip_comments=True,
                       attribute_filter=_fragment_attribute)


class PolicyError(ValueError):
    """A fragment that the sanitiser would change: the renderer made something the policy does not allow."""


def check_fragment(html: str) -> str:
    """html, if the sanitiser leaves it exactly as it is; else PolicyError (a bug of the renderer, never content)."""
    cleaned = _CLEANER.clean(html)
    if cleaned != html:
        position = next((index for index, (a, b) in enumerate(zip(cleaned, html)) if a != b), min(len(cleaned), len(html)))
        raise PolicyError(f"a content fragment breaks the output policy near {html[max(0, position - 40):position + 40]!r}"
                          f" (the sanitiser made it {cleaned[max(0, position - 40):position + 40]!r})")
    return html
