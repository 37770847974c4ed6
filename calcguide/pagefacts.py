"""What the guide knows about each page beyond its text: its review date, the version that last touched it, a
plain-text description for the page head, and its public address. Computed once per page and language, given
to the page's template and to the theme (through the page's front matter)."""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from .content import CONTENT_FILES, Guide, Text, page_last_reviewed
from .fragments import CONTENT_MARKDOWN, Setting

# Where a page's description comes from: its own summary, else its introduction (the first one it has).
DESCRIPTION_FIELDS = ("summary", "intro", "checked_with", "disclaimer")
DESCRIPTION_LENGTH = 200  # search engines show about this much
SENTENCE_END = re.compile(r"(?<=[.!?])\s")
NO_SUMMARY = Text.model_construct(en="-", fr="-")  # a marker, compared by identity


@dataclass(frozen=True)
class PageFacts:
    page_id: str
    last_reviewed: dt.date
    updated_in: str | None  # the newest version, when its changes entry names this page
    description: str  # plain text: no Markdown, no citation
    url: str | None  # the public address of the page, None without a public address


def page_facts(guide: Guide, page_id: str, lang: str, url: str | None) -> PageFacts:
    latest = guide.changes.latest
    return PageFacts(page_id=page_id, last_reviewed=page_last_reviewed(guide, page_id),
                     updated_in=latest.version if page_id in latest.pages else None,
                     description=_description(guide, page_id, lang), url=url)


def _description(guide: Guide, page_id: str, lang: str) -> str:
    summary = _summary_of(guide, page_id)
    return "" if summary is NO_SUMMARY else plain_description(summary[lang], lang)


def _summary_of(guide: Guide, page_id: str) -> Text:
    if page_id == "whats-new":
        return guide.changes.latest.summary
    if page_id in {treatment.id for treatment in guide.treatments}:
        return guide.treatment(page_id).summary
    content = next((getattr(guide, file.field) for file in CONTENT_FILES if file.page == page_id), None)
    # A page made from several files (Safety at a glance) has no summary of its own: the renderer uses its title.
    return next((value for name in DESCRIPTION_FIELDS if isinstance(value := getattr(content, name, None), Text)),
                NO_SUMMARY)


@functools.lru_cache(maxsize=4096)  # a pure function of its text, asked for each page twice on every render
def plain_description(markdown_text: str, lang: str = "en") -> str:
    """The first sentences of a content text, as plain text (its fragment's, typeset, without citations) of at most
    DESCRIPTION_LENGTH characters."""
    text = CONTENT_MARKDOWN.render(markdown_text, Setting(lang)).text
    text = re.sub(r"[ \t\r\n]+", " ", text).strip()
    description = ""
    for sentence in SENTENCE_END.split(text):
        if description and len(description) + 1 + len(sentence) > DESCRIPTION_LENGTH:
            break
        description = f"{description} {sentence}".strip()
    if len(description) > DESCRIPTION_LENGTH:
        description = description[:DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return description
