"""Resource pages in a real headless Chromium: readable, highlighted, keyboard-usable, offline."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Request

from ..helpers.servers import LiveServer
from .conftest import screenshot

pytestmark = pytest.mark.browser

STATISTIC = "/id/observation/az-mia-thb-2018/women-and-girls-share-2016"


def only_local_requests(page: Page, server: LiveServer) -> list[str]:
    """Collects every request the page makes to anywhere but the server under test."""
    foreign: list[str] = []

    def check(request: Request) -> None:
        if not request.url.startswith(server.url) and not request.url.startswith("data:"):
            foreign.append(request.url)

    page.on("request", check)
    return foreign


def test_a_statistic_page_highlights_its_quote(page: Page, live_server: LiveServer) -> None:
    foreign = only_local_requests(page, live_server)
    response = page.goto(live_server.url + STATISTIC)
    assert response is not None and response.status == 200
    assert page.locator("h1").inner_text().startswith("Share of women and girls")
    assert page.locator(".figure").inner_text() == "about 70 %"
    quote = page.locator("mark.quote")
    assert quote.count() == 1
    assert quote.inner_text().startswith("It is not a coincidence")
    background = quote.evaluate("element => getComputedStyle(element).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), "the quote is not highlighted"
    assert page.locator("mark.quote strong.numeral").inner_text() == "approximately 70 %"
    screenshot(page, "statistic")

    page.get_by_role("link", name="the source text").click()
    page.wait_for_load_state()
    assert "/doc/report/az-mia-thb-2018/text/en" in page.url
    passage = page.locator("#passage mark")
    assert passage.inner_text().startswith("It is not a coincidence")
    assert passage.is_visible()
    screenshot(page, "source-text")
    assert foreign == [], f"pages must work offline; they fetched {foreign}"


def test_pages_are_usable_from_the_keyboard(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/id/agency/mia")
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.textContent")
    assert skip == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    for _ in range(6):
        page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.tagName")
    assert focused == "A"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused link must show a focus ring"
    screenshot(page, "agency")


def test_an_indicator_page_draws_its_chart(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/id/indicator/share-of-detected-victims-by-form")
    chart = page.locator("figure.chart svg").first
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 150
    assert page.locator("figure.chart rect").count() == 2
    screenshot(page, "indicator")


def test_the_ontology_page_lands_on_a_term(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/ontology#Quote")
    heading = page.locator("#Quote h3")
    assert heading.is_visible()
    assert heading.bounding_box()["y"] < 200  # type: ignore[index]  # scrolled to the anchor
    screenshot(page, "ontology")
