"""The pages work under their own Content-Security-Policy, and the policy does refuse an
inline script: scripts come from this server only."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from ..helpers.servers import LiveServer
from .page_kinds import PAGE_KINDS

pytestmark = pytest.mark.browser


def violations(page: Page) -> list[str]:
    """Collects what the page's policy refuses, from the console, as it happens."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


@pytest.mark.parametrize("path", PAGE_KINDS.values(), ids=list(PAGE_KINDS))
def test_the_page_needs_nothing_its_policy_refuses(
    page: Page, live_server: LiveServer, path: str
) -> None:
    refused = violations(page)
    response = page.goto(live_server.url + path)
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_load_state("networkidle")
    if "query=" in path:  # a permalink: YASGUI ran the query under the policy
        page.locator(".yasr table tbody tr").first.wait_for()
    assert refused == []


def test_an_injected_inline_script_is_refused(page: Page, live_server: LiveServer) -> None:
    refused = violations(page)
    page.goto(live_server.url + "/id/agency/mia")
    page.evaluate(
        """() => {
            const script = document.createElement('script');
            script.textContent = 'window.injected = true';
            document.body.appendChild(script);
        }"""
    )
    assert page.evaluate("window.injected === undefined")
    assert any("script-src" in text for text in refused)
