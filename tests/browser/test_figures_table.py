"""The figures table in a real headless Chromium, wide and phone-narrow: filter by a facet, sort
by value, download the view; no sideways scrolling, no console error."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import Page

from ..helpers.servers import LiveServer
from .conftest import overflow, screenshot, watch_errors

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_filter_sort_and_download_the_figures(
    page: Page, live_server: LiveServer, width: int
) -> None:
    errors = watch_errors(page)
    page.on(
        "response",
        lambda answer: (
            errors.append(f"{answer.status} {answer.url}") if answer.status >= 400 else None
        ),
    )
    page.set_viewport_size({"width": width, "height": 900})
    response = page.goto(live_server.url + "/figures")
    assert response is not None and response.status == 200
    assert page.locator("tbody tr[data-observation]").count() > 0
    assert overflow(page) == 0

    facet = page.locator('details[data-facet="area"] li a').first
    expected = int(facet.locator("xpath=following-sibling::span").inner_text().replace(",", ""))
    label = facet.inner_text()
    facet.click()
    page.wait_for_load_state()
    assert "area=" in page.url
    assert page.locator(".figures-filters strong").first.inner_text() == label
    rows = page.locator("tbody tr[data-observation]")
    assert rows.count() == min(expected, 50)

    page.locator('th a[data-sort="value"]').click()
    page.wait_for_load_state()
    page.locator('th a[data-sort="value"]').click()  # again: largest first
    page.wait_for_load_state()
    assert page.locator("th[aria-sort]").get_attribute("aria-sort") == "descending"
    assert rows.count() == min(expected, 50)
    assert overflow(page) == 0
    screenshot(page, f"figures-{width}")

    download = page.locator('a[data-download="csv"]').get_attribute("href")
    assert download is not None
    exported = page.request.get(live_server.url + download)
    assert exported.status == 200
    records = list(csv.DictReader(io.StringIO(exported.text())))
    assert len(records) == expected
    values = [float(r["value"]) for r in records]
    assert values == sorted(values, reverse=True)
    first = rows.first.get_attribute("data-observation")
    assert records[0]["observation"] == first

    page.locator("tbody tr[data-observation] a.figure-link").first.click()
    page.wait_for_load_state()
    assert "/doc/observation/" in page.url
    assert errors == [], errors
