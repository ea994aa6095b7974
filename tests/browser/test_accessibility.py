"""Every kind of page passes axe-core's WCAG 2 A/AA rules (serious and critical findings)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from ..helpers.servers import LiveServer

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
PAGES = [
    "/",
    "/dataset",
    "/dumps/",
    "/ontology",
    "/sparql",
    "/sparql?query=SELECT%20%3Fs%20%3Flabel%20WHERE%20%7B%20%3Fs%20skos%3AprefLabel%20%3Flabel%20%7D%20LIMIT%205",
    "/id/observation/az-mia-thb-2018/women-and-girls-share-2016",
    "/id/agency/mia",
    "/id/indicator/victims-identified",
    "/id/report/az-mia-thb-2018/text/en?start=874&end=1232",
    "/graph/az-mia-thb-2018",
    "/id/agency/no-such-agency",
]


@pytest.fixture
def inspectable(chromium: Browser) -> Iterator[Page]:
    """A page whose Content-Security-Policy lets the test inject axe-core (the site's own
    policy would refuse it, as it should)."""
    context = chromium.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize(
    "path", PAGES, ids=lambda path: path.split("?")[0] + ("?…" if "?" in path else "")
)
def test_the_page_has_no_serious_accessibility_problem(
    inspectable: Page, live_server: LiveServer, path: str
) -> None:
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
