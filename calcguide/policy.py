"""The output policy, in one place: what a content fragment may hold (enforced by nh3, the binding of the Rust
sanitiser ammonia), and what a published page may hold (enforced by the audit stage, calcguide/audit.py).

Allow, don't deny: each list names what may appear; anything else fails the build with its location.
"""
from __future__ import annotations

import nh3

# --- content fragments (calcguide/fragments.py) ------------------------------------------------------------------

FRAGMENT_TAGS = frozenset({"p", "ul", "ol", "li", "em", "strong", "a", "br", "abbr", "span"})
FRAGMENT_ATTRIBUTES = {"a": {"href", "data-cg-ref"}, "abbr": {"title"}, "ol": {"start"}}
FRAGMENT_CLASSES = {"a": {"cite", "cite--d1", "cite--d2", "cite--d3"}, "span": {"cg-cites"}}  # allowed classes (ammonia wants class out of the attributes)
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


# --- published pages (calcguide/audit.py) -------------------------------------------------------------------------
# What the theme (Material), our theme overrides, our page templates and the content fragments write, and nothing
# more. A template that needs another element or attribute adds it here, in the same change.

PAGE_TAGS = frozenset({
    "html", "head", "body", "title", "meta", "link", "script", "style",
    "header", "footer", "main", "nav", "article", "aside", "section", "div", "span", "p", "br", "hr",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "abbr", "em", "strong", "b", "i", "small", "sub", "sup", "code", "kbd",
    "pre", "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "details", "summary", "figure", "figcaption",
    "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td", "time",
    "form", "input", "label", "button", "img", "svg", "path", "g",
})
GLOBAL_ATTRIBUTES = frozenset({"class", "id", "title", "lang", "role", "tabindex", "hidden"})
# Attribute names starting with these are allowed on every element (accessibility; the theme's and ours).
ATTRIBUTE_PREFIXES = ("aria-", "data-md-", "data-cg-")
TAG_ATTRIBUTES = {
    "html": {"dir"}, "body": {"dir"},
    "meta": {"charset", "content", "name", "property", "http-equiv"},
    "link": {"href", "rel", "type", "hreflang", "sizes", "media"},
    "script": {"src", "type"},
    "a": {"href", "hreflang", "download", "type", "rel"},
    "ol": {"start"}, "td": {"data-label", "colspan", "rowspan"}, "th": {"scope", "colspan", "rowspan"},
    "time": {"datetime"}, "details": {"open"}, "label": {"for"}, "form": {"name"}, "button": {"type"},
    "input": {"type", "name", "checked", "placeholder", "autocomplete", "autocorrect", "autocapitalize",
              "spellcheck", "required"},
    "img": {"src", "alt", "width", "height"},
    "svg": {"viewbox", "xmlns", "width", "height"}, "path": {"d", "stroke", "fill"}, "g": {"fill", "stroke"},
}
# <meta http-equiv> values: the policy of the offline pages, and nothing that redirects or sets cookies.
HTTP_EQUIV = frozenset({"content-security-policy"})
# Except on a former address of a page (content/moved.yml, calcguide/redirects.py), and there only exactly this,
# to the one relative address of the site that the build planned for it.
REDIRECT_HTTP_EQUIV = "refresh"


def redirect_content(relative_address: str) -> str:
    """The content of a redirect page's refresh: at once, to the page standing there now."""
    return f"0; url={relative_address}"
# Where a link may lead (a reader's choice): the web, e-mail, or a page of the site (no scheme).
LINK_SCHEMES_OF_PAGES = LINK_SCHEMES
# What a page may load by itself (script, stylesheet, icon, image): only files of the site (no scheme, no host).
LOADING_RELS = frozenset({"stylesheet", "icon", "preload", "prefetch", "modulepreload", "manifest", "prerender",
                          "apple-touch-icon", "dns-prefetch", "preconnect", "mask-icon", "shortcut"})
# Ids of the page's content (what MkDocs made from our Markdown): lowercase words, never the theme's "__…".
CONTENT_ID = r"[a-z0-9][a-z0-9_-]*"
