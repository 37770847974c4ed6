"""Reading printed PDFs back: the A4 size and the size every text lands on the page at."""
from __future__ import annotations

from pypdf import PdfReader

A4_POINTS = (595.3, 841.9)


def printed_sizes(reader: PdfReader) -> dict[float, str]:
    """Every size text is printed at (in points, as it lands on the page), with a sample of that text."""
    sizes: dict[float, str] = {}
    for page in reader.pages:
        def note(text, cm, tm, font, size):  # noqa: ANN001 - pypdf's visitor signature
            if text.strip():
                sizes.setdefault(round(size * abs(tm[3]) * abs(cm[3]), 2), text.strip()[:40])
        page.extract_text(visitor_text=note)
    return sizes
