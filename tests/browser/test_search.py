"""Search in a real headless Chromium, wide and phone-narrow: suggestions as one types, the
results page, and the page without scripts; no sideways scrolling, no console error."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page

from ..helpers.servers import LiveServer
from .conftest import overflow, screenshot, watch_errors

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_suggestions_as_one_types_then_the_results_page(
    page: Page, live_server: LiveServer, width: int
) -> None:
    errors = watch_errors(page)
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(live_server.url + "/search")
    assert response is not None and response.status == 200
    page.locator("#site-search").press_sequentially("daxili is", delay=30)
    suggestions = page.locator("#site-search-suggestions a")
    suggestions.first.wait_for()
    labels = suggestions.all_inner_texts()
    assert any("Daxili İşlər" in label for label in labels), labels
    assert page.locator("#site-search").get_attribute("aria-expanded") == "true"
    assert overflow(page) == 0
    screenshot(page, f"search-suggestions-{width}")

    page.locator("#site-search").press("Escape")
    assert page.locator("#site-search-suggestions").is_hidden()
    page.locator("#site-search").press("Enter")
    page.wait_for_load_state()
    assert "q=daxili+is" in page.url
    results = page.locator("ol.search-results a")
    assert results.count() >= 2
    assert overflow(page) == 0
    results.first.click()
    page.wait_for_load_state()
    assert "/doc/agency/" in page.url
    assert errors == []


def test_the_page_works_without_scripts(chromium: Browser, live_server: LiveServer) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/search")
        page.locator("#search-page-q").fill("minist")
        page.locator("form.search-page button").click()
        page.wait_for_load_state()
        found = page.locator("ol.search-results a").all_inner_texts()
        assert found and all("minist" in label.lower() for label in found[:5])
    finally:
        context.close()
