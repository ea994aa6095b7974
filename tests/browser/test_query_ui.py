"""The SPARQL query page in a real Chromium: examples, results, local links, permalinks."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, expect

from tests.browser.conftest import screenshot
from tests.helpers.servers import LiveServer
from tipgraph.examples import Example, load_examples

pytestmark = pytest.mark.browser

ROWS = ".yasr table.dataTable tbody tr"


def example(slug: str) -> Example:
    (found,) = [e for e in load_examples() if e.slug == slug]
    return found


def watch(page: Page, server: LiveServer) -> tuple[list[str], list[str]]:
    """Record requests that leave the live server, and uncaught script errors."""
    elsewhere: list[str] = []
    errors: list[str] = []

    def on_request(request: Request) -> None:
        if not request.url.startswith((server.url + "/", "data:", "blob:")):
            elsewhere.append(request.url)

    page.on("request", on_request)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return elsewhere, errors


def editor_text(page: Page) -> str:
    text = page.evaluate(
        "() => { const tab = [...document.querySelectorAll('.tabPanel')]"
        ".find(p => p.offsetParent !== null); "
        "return tab.querySelector('.CodeMirror').CodeMirror.getValue(); }"
    )
    assert isinstance(text, str)
    return text


def test_an_example_runs_and_links_iris_to_this_server(page: Page, live_server: LiveServer) -> None:
    elsewhere, errors = watch(page, live_server)
    page.goto(f"{live_server.url}/sparql")
    expect(page.locator(".yasgui .CodeMirror").first).to_be_visible()
    expect(page.locator("form.query-form")).to_have_count(0)  # in <noscript>: text when scripts run
    screenshot(page, "query-page")

    partners = example("international-partners-by-kind")
    link = page.locator("a.example", has_text=partners.title)
    assert link.get_attribute("href") == "/sparql?query=" + quote(partners.query, safe="")
    link.click()

    rows = page.locator(f".tabPanel:visible {ROWS}")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 10
    expect(page.locator(".tabPanel:visible .yasr")).to_contain_text("Council of Europe")
    coe = page.locator(".tabPanel:visible .yasr a.iri", has_text="Council of Europe").first
    assert coe.get_attribute("href") == "/id/organization/coe"  # shown as the row's ?name
    assert editor_text(page).strip() == partners.query.strip()
    assert "/sparql?query=" in page.url  # the address bar holds the query's permalink
    screenshot(page, "query-page-example-run")
    assert elsewhere == []
    assert errors == []


def test_a_permalink_opens_the_query_and_runs_it(page: Page, live_server: LiveServer) -> None:
    elsewhere, errors = watch(page, live_server)
    approximate = example("approximate-figures")
    page.goto(f"{live_server.url}/sparql?query={quote(approximate.query, safe='')}")
    rows = page.locator(f".tabPanel:visible {ROWS}")
    expect(rows.first).to_be_visible()
    answer = httpx.get(
        f"{live_server.url}/sparql",
        params={"query": approximate.query},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert rows.count() == len(answer.json()["results"]["bindings"]) >= 8
    assert editor_text(page).strip() == approximate.query.strip()
    expect(page.locator(".tabPanel:visible .yasr")).to_contain_text("nearly 60,000")
    permalink = page.locator("#permalink")
    permalink.focus()
    href = permalink.get_attribute("href") or ""
    assert href.startswith("/sparql?query=")
    assert parse_qs(urlsplit(href).query)["query"] == [editor_text(page)]
    screenshot(page, "query-page-permalink")
    assert elsewhere == []
    assert errors == []


def test_without_scripts_the_form_runs_queries(chromium: Browser, live_server: LiveServer) -> None:
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/sparql")
        expect(page.locator("form.query-form textarea")).to_be_visible()
        expect(page.locator("a.example")).to_have_count(len(load_examples()))
        victims = example("victims-sheltered-share")
        page.locator("a.example", has_text=victims.title).click()
        expect(page.locator("form.query-form textarea")).to_have_value(victims.query)
        screenshot(page, "query-page-without-javascript")
        page.select_option("select#format", "csv")
        with page.expect_request(lambda r: "format=csv" in r.url) as sent:
            page.locator("form.query-form button[type=submit]").click()
        asked = parse_qs(urlsplit(sent.value.url).query)
        assert asked["format"] == ["csv"]
        assert asked["query"][0].replace("\r\n", "\n") == victims.query  # forms send CRLF
        with live_server.client() as http:  # what the browser gets: CSV, not the page again
            answer = http.get(sent.value.url, headers=sent.value.headers)
        assert answer.headers["content-type"].startswith("text/csv")
        assert answer.text.splitlines()[1] == "356,312,87.6"
    finally:
        context.close()


def console_errors(page: Page) -> list[str]:
    """Record the console's errors (and uncaught script errors) as they happen."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def overflows(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > window.innerWidth"))


@pytest.mark.slow
@pytest.mark.parametrize("width", [1280, 390])
def test_results_read_as_numbers_and_linked_names(
    page: Page, live_server: LiveServer, width: int
) -> None:
    """No PREFIX block in the editor; a run example shows numbers right-aligned and IRIs as
    labels or prefixed names linked to their pages, on a wide and a narrow screen."""
    page.set_viewport_size({"width": width, "height": 900})
    errors = console_errors(page)
    page.goto(f"{live_server.url}/sparql")
    expect(page.locator(".yasgui .CodeMirror").first).to_be_visible()
    text = editor_text(page)
    assert not [line for line in text.splitlines() if line.upper().startswith("PREFIX")]
    assert "predeclared" in text
    assert "tip:indicator" in text

    victims = example("victims-sheltered-share")
    page.locator("a.example", has_text=victims.title).click()
    rows = page.locator(f".tabPanel:visible {ROWS}")
    expect(rows.first).to_be_visible()
    number = page.locator(".tabPanel:visible .yasr td div.number").first
    expect(number).to_have_text("356")
    assert number.evaluate("e => getComputedStyle(e).textAlign") == "right"
    box, cell = number.bounding_box(), number.locator("xpath=..").bounding_box()
    assert box is not None and cell is not None
    assert abs((box["x"] + box["width"]) - (cell["x"] + cell["width"])) < 12  # flush right
    assert "^^" not in (rows.first.text_content() or "")

    partners = example("international-partners-by-kind")
    page.locator("a.example", has_text=partners.title).click()
    expect(page.locator(".tabPanel:visible .yasr")).to_contain_text("Council of Europe")
    linked = page.locator(".tabPanel:visible .yasr a.iri.local")
    expect(linked.first).to_be_visible()
    for href in linked.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
        assert href.startswith("/id/")
    shown = linked.evaluate_all("links => links.map(a => a.textContent)")
    assert not any(name.startswith(("http", "<")) for name in shown)
    screenshot(page, f"query-page-results-{width}")
    assert not overflows(page)
    assert errors == []


@pytest.mark.slow
def test_a_parse_error_names_the_unknown_prefix(page: Page, live_server: LiveServer) -> None:
    query = "SELECT ?s WHERE { ?s wdt:P31 ?o }"
    page.goto(f"{live_server.url}/sparql?query={quote(query, safe='')}")
    expect(page.locator(".tabPanel:visible .yasr")).to_contain_text(
        "unknown prefix `wdt:`", timeout=15_000
    )
    expect(page.locator(".tabPanel:visible .yasr")).to_contain_text(
        "PREFIX wdt: <http://www.wikidata.org/prop/direct/>"
    )


@pytest.mark.slow
def test_typing_a_prefixed_name_declares_only_what_is_not_predeclared(
    page: Page, live_server: LiveServer
) -> None:
    """YASGUI's prefix completion still adds `PREFIX dbo: <…>` for a prefix it knows, and none
    for one the endpoint predeclares (YASGUI's `schema:` would be http://schema.org/)."""
    errors = console_errors(page)
    page.goto(f"{live_server.url}/sparql")
    expect(page.locator(".yasgui .CodeMirror").first).to_be_visible()
    page.evaluate(
        "() => { const editor = [...document.querySelectorAll('.tabPanel')]"
        ".find(p => p.offsetParent !== null).querySelector('.CodeMirror').CodeMirror;"
        " editor.setValue('SELECT * WHERE { ?s '); editor.focus();"
        " editor.setCursor(editor.lineCount(), 0); }"
    )
    page.keyboard.type("schema:name ?o . ?s dbo:x ?y }", delay=20)
    expect(page.locator(".tabPanel:visible .CodeMirror")).to_contain_text("PREFIX dbo:")
    text = editor_text(page)
    assert "PREFIX schema:" not in text
    assert "schema:name ?o" in text
    assert errors == []
