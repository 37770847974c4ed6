"""The browser harness itself: Chromium opens a built page from file:// and outside requests are caught."""
from __future__ import annotations

import pytest

from browser import visit

pytestmark = pytest.mark.browser


def test_english_home_opens_from_file_with_no_outside_request(built, browser):
    with visit(browser) as session:
        session.page.goto((built.site_dir / "en" / "index.html").as_uri())
        assert session.page.locator("html").get_attribute("lang") == "en"
        # evaluate waits for the fetch to settle, and it settles only once the guard has recorded and aborted it
        session.page.evaluate("fetch('https://example.com/').catch(() => null)")
    assert "https://example.com/" in session.outside_requests
