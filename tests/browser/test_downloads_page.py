"""/dumps/ at desktop and phone width: the file list and the data dictionary fit the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from ..helpers.servers import LiveServer
from .conftest import screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_downloads_fit_the_screen_with_names_and_hashes_wrapped(
    chromium: Browser, live_server: LiveServer, width: int
) -> None:
    context = chromium.new_context(viewport={"width": width, "height": 800}, locale="en-GB")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        answer = page.goto(live_server.url + "/dumps/")
        assert answer is not None and answer.status == 200
        overflow = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert overflow[0] <= overflow[1], f"/dumps/ scrolls sideways at {width} px: {overflow}"
        widest = page.evaluate(
            """Math.max(...[...document.querySelectorAll(
                'table.dumps th, table.dumps td, dl.columns dt, dl.columns dd')]
              .map(e => e.getBoundingClientRect().right))"""
        )
        assert widest <= width, f"a row of /dumps/ ends at {widest} px, past {width}"
        gzipped = page.locator("table.dumps tr.gzipped").first
        assert "The same file, gzipped" in gzipped.inner_text()
        assert page.locator("dl.columns dt").count() > 10
        screenshot(page, f"downloads-{width}")
    finally:
        context.close()
