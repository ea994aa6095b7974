"""Every kind of page, at desktop and phone width, passes axe-core's WCAG 2 A/AA rules
(serious and critical findings)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from ..helpers.servers import LiveServer
from .page_kinds import PAGE_KINDS, WIDTHS

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(params=WIDTHS, ids=lambda width: f"{width}px")
def inspectable(chromium: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page whose Content-Security-Policy lets the test inject axe-core (the site's own
    policy would refuse it, as it should)."""
    viewport = {"width": request.param, "height": 900}
    context = chromium.new_context(bypass_csp=True, viewport=viewport)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("name", PAGE_KINDS)
def test_the_page_has_no_serious_accessibility_problem(
    inspectable: Page, live_server: LiveServer, name: str
) -> None:
    path = PAGE_KINDS[name]
    inspectable.goto(live_server.url + path)
    inspectable.wait_for_load_state("networkidle")
    if "query=" in path:  # a permalink: the results table must be there too
        inspectable.locator(".yasr table tbody tr").first.wait_for()
    inspectable.add_script_tag(content=AXE)
    results: dict[str, Any] = inspectable.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}})"
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in results["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert not problems, "\n".join(problems)
