"""Every kind of page at desktop and phone width: no sideways scrolling, no console error, a
favicon, the search box."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Response

from ..helpers.servers import LiveServer
from .conftest import screenshot
from .page_kinds import PAGE_KINDS, WIDTHS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGE_KINDS)
def test_a_page_fits_the_screen_without_errors(
    chromium: Browser, live_server: LiveServer, name: str, width: int
) -> None:
    context = chromium.new_context(viewport={"width": width, "height": 800}, locale="en-GB")
    context.set_default_timeout(15_000)
    errors: list[str] = []
    failed: list[str] = []

    def console(message: ConsoleMessage) -> None:
        # a 404 page is one on purpose: Chromium's note that the document itself was a 404 is
        # no error of the page's
        document_404 = name == "not-found" and message.location.get("url", "").endswith(
            PAGE_KINDS[name].replace("/id/", "/doc/")
        )
        if message.type == "error" and not document_404:
            errors.append(message.text)

    def response(answer: Response) -> None:
        if answer.status >= 400 and answer.request.resource_type != "document":
            failed.append(f"{answer.status} {answer.url}")

    try:
        page = context.new_page()
        page.on("console", console)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("response", response)
        answer = page.goto(live_server.url + PAGE_KINDS[name])
        assert answer is not None
        assert answer.status == (404 if name == "not-found" else 200)
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert overflow[0] <= overflow[1], f"{name} scrolls sideways at {width} px: {overflow}"
        assert page.locator('form[role="search"] input#site-search[name="q"]').is_visible()
        icon = page.locator('link[rel="icon"]').get_attribute("href")
        assert icon is not None
        assert page.request.get(live_server.url + icon).status == 200
        assert errors == [], f"console errors on {name}: {errors}"
        assert failed == [], f"failed requests on {name}: {failed}"
        screenshot(page, f"layout-{name}-{width}")
    finally:
        context.close()
