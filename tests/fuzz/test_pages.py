"""The parameters of the pages (lang, format, start, end, Accept-Language) are the client's to
choose: whatever they are, a page or a 4xx, never a 5xx."""

from __future__ import annotations

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from tipgraph.describe import LANGUAGE, language_preference
from tipgraph.source_marks import Mark, lines_of

PAGES = [
    "/doc/report/az-mia-thb-2018/text/en",
    "/doc/indicator/victims-identified",
    "/doc/agency/mia",
    "/doc/observation/az-mia-thb-2018/criminal-groups-neutralised-2018",
    "/graph/az-mia-thb-2018",
    "/ontology",
    "/dataset",
    "/dumps/",
]
NUMBERS = st.integers(-5, 10**6).map(str) | st.sampled_from(["²", "١٢", "0x10", "1e3", "", " 7"])
VALUES = st.none() | NUMBERS | st.text(max_size=12)
# What a header value may hold (RFC 9110 §5.5: visible ASCII, spaces inside), in any order.
HEADER_VALUES = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=30) | (
    st.lists(st.sampled_from(["en", "az", "ru", "*", ";", "q=", "0.5", "-", ",", " ", "x" * 50]))
    .map("".join)
    .map(str.strip)
)


@given(
    page=st.sampled_from(PAGES),
    lang=VALUES,
    format=VALUES | st.sampled_from(["html", "ttl", "jsonld", "nt", "rdf", "json", "csv"]),
    start=VALUES,
    end=VALUES,
    languages=st.none() | HEADER_VALUES | st.just("az;q=0.9, en;q=0.8, *;q=0.1"),
)
@settings(max_examples=150)
def test_page_parameters_never_cause_a_5xx(
    http: httpx.Client,
    page: str,
    lang: str | None,
    format: str | None,
    start: str | None,
    end: str | None,
    languages: str | None,
) -> None:
    params = {
        name: value
        for name, value in {"lang": lang, "format": format, "start": start, "end": end}.items()
        if value is not None
    }
    headers = {"Accept": "text/html"}
    if languages is not None:
        headers["Accept-Language"] = languages
    response = http.get(page, params=params, headers=headers)
    assert response.status_code in (200, 303, 404, 406), response.text


@given(
    text=st.text(max_size=60),
    start=st.integers(-3, 70) | st.none(),
    end=st.integers(-3, 70) | st.none(),
)
def test_lines_keep_the_text_and_mark_only_a_passage_of_it(
    text: str, start: int | None, end: int | None
) -> None:
    asked = (
        [Mark(start, end, "asked")]
        if start is not None and end is not None and 0 <= start < end <= len(text)
        else []
    )
    lines = lines_of(text, asked)
    marked = "".join(seg.text for line in lines for seg in line if seg.has("asked"))
    assert marked == ("".join(text[start:end].split("\n")) if asked else "")
    kept = [line for line in text.split("\n") if line.strip()]
    assert ["".join(seg.text for seg in line) for line in lines] == kept


@given(requested=st.none() | st.text(max_size=20), accept_language=st.none() | st.text(max_size=40))
def test_only_language_subtags_reach_a_page(
    requested: str | None, accept_language: str | None
) -> None:
    """Whatever ?lang= and Accept-Language hold, the page's lang attribute and the labels'
    order get primary language subtags only (regression: lang=%00 reached <html lang>)."""
    languages = language_preference(requested, accept_language)
    assert all(LANGUAGE.fullmatch(language) for language in languages)
    assert languages[-3:] == ("en", "az", "ru") or set(languages) >= {"en", "az", "ru"}
