"""Every kind of page at desktop and phone width: no sideways scrolling, no console error, a
favicon, the search box."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Response

from ..helpers.servers import LiveServer
from .conftest import screenshot

pytestmark = pytest.mark.browser

PAGES = {
    "home": "/",
    "resource": "/id/observation/az-mia-thb-2018/women-and-girls-share-2016",
    "agency": "/id/agency/mia",
    "source-text": "/id/report/az-mia-thb-2018/text/en",
    "list": "/list?class=qb:Observation&page=2",
    "dataset": "/dataset",
}
WIDTHS = (1280, 390)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_a_page_fits_the_screen_without_errors(
    chromium: Browser, live_server: LiveServer, name: str, width: int
) -> None:
    context = chromium.new_context(viewport={"width": width, "height": 800}, locale="en-GB")
    context.set_default_timeout(15_000)
    errors: list[str] = []
    failed: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    def response(answer: Response) -> None:
        if answer.status >= 400:
            failed.append(f"{answer.status} {answer.url}")

    try:
        page = context.new_page()
        page.on("console", console)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("response", response)
        answer = page.goto(live_server.url + PAGES[name])
        assert answer is not None and answer.status == 200
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
