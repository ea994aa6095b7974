"""Paged lists of a class's instances with their labels: where every class count leads."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from tipgraph.describe import LABEL, choose, label_of, term_label
from tipgraph.formats import HTML, MediaType
from tipgraph.namespaces import PREFIXES, compact_iri
from tipgraph.store.reader import Node, StoreReader, is_iri
from tipgraph.web.openapi import CONDITIONAL, answers, ok
from tipgraph.web.pages import (
    cache_headers,
    get_and_head,
    not_found,
    not_modified,
    page_languages,
    reader_of,
    remember,
    remembered,
    render,
)
from tipgraph.web.state import app_state

router = APIRouter(tags=["Linked data"])
PAGE_SIZE = 50
PAGE_DIGITS = 7  # more pages than any store has; longer values are no page number
JSON = MediaType("application/json", ("json",), "JSON")

# Every instance counts (as in the dataset's class partition); only those with an IRI are listed.
COUNT = "SELECT $class (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a $class } GROUP BY $class"
# Every listable instance with its labels: sorted in Python, once per version and class (sorting
# in the query took 5 s per page for 70,000 observations; this reads them all in 2 s).
ORDER = f"""
SELECT $class ?x ?label WHERE {{
  ?x a $class FILTER(!isBlank(?x))
  OPTIONAL {{ ?x {LABEL} ?label }}
}}"""
LABELS = f"""SELECT ?x ?label WHERE {{ VALUES ?x {{ %s }} ?x {LABEL} ?label }}"""


@dataclass(frozen=True)
class Listing:
    """A class's instances: how many in all, and those with an IRI in list order."""

    total: int
    ordered: list[str]


BAD_LIST = {
    "description": "No such class or page: the parameter and what to send instead, as text.",
    "content": {"text/plain": {"schema": {"type": "string"}}},
}
ClassParameter = Annotated[
    str | None, Query(alias="class", description="The class: an IRI or a prefixed name (qb:…).")
]
PageParameter = Annotated[str | None, Query(description="Page number, from 1.")]
FormatParameter = Annotated[str | None, Query(description="html (the default) or json.")]


@dataclass(frozen=True)
class Instance:
    """One instance of the listed class, with the label a reader sees."""

    iri: str
    label: str | None


class BadListRequest(ValueError):
    """A parameter of /list that names no class or no page."""


def class_iri(value: str | None) -> str:
    """The class a ``class=`` parameter names: a prefixed name tipgraph knows, or an IRI."""
    if not value:
        raise BadListRequest("say which class to list: /list?class=qb:Observation")
    text = value.strip().removeprefix("<").removesuffix(">")
    prefix, colon, local = text.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        text = PREFIXES[prefix] + local
    if not is_iri(text) or not (text.startswith("urn:") or "://" in text):
        known = ", ".join(PREFIXES)
        raise BadListRequest(
            f"{value!r} is neither an absolute IRI nor a prefixed name with a known prefix "
            f"({known})"
        )
    return text


def page_number(value: str | None) -> int:
    """A ``page=`` parameter as a number from 1 (absent: 1)."""
    if value is None:
        return 1
    if len(value) > PAGE_DIGITS or not (value.isascii() and value.isdigit()) or int(value) < 1:
        raise BadListRequest(f"page must be a whole number from 1, not {value!r}")
    return int(value)


def listing(reader: StoreReader, iri: str) -> Listing:
    """The instances of ``iri``, sorted by their English (or untagged) label, else any label,
    else the IRI: one order for every reader, so page N is the same page whatever the language
    of the labels shown."""
    rows = reader.select(COUNT, {"class": iri})
    total = int(rows[0]["n"].value) if rows else 0
    english: dict[str, str] = {}
    other: dict[str, str] = {}
    for row in reader.select(ORDER, {"class": iri}):
        x, label = row["x"].value, row.get("label")
        other.setdefault(x, "")
        if label is None:
            continue
        key = label.value.lower()
        language = label.language or ""
        chosen = english if language == "" or language.lower().startswith("en") else other
        if x not in chosen or not chosen[x] or key < chosen[x]:
            chosen[x] = key

    def order(x: str) -> tuple[bool, str, str]:
        key = english.get(x) or other[x]
        return (not key, key, x)

    return Listing(total, sorted(other, key=order))


def instances(
    reader: StoreReader, ordered: list[str], page: int, languages: tuple[str, ...]
) -> list[Instance]:
    """The instances on ``page`` (from 1) of ``ordered``, labelled in ``languages``."""
    shown = ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    found: dict[str, list[Node]] = {x: [] for x in shown}
    if shown:
        values = " ".join(f"<{x}>" for x in shown)
        for row in reader.select(LABELS % values):
            found[row["x"].value].append(row["label"])
    return [
        Instance(x, chosen.value if (chosen := choose(found[x], languages)) else None)
        for x in shown
    ]


def _bad(message: str) -> Response:
    return PlainTextResponse(message + "\n", 400, {"Cache-Control": "no-store"})


@get_and_head(
    router,
    "/list",
    summary="A class's instances with their labels, 50 a page: HTML, or JSON with format=json",
    response_class=Response,
    responses=answers(ok("One page of the list.", [HTML, JSON]), 304, 404) | {400: BAD_LIST},
    openapi_extra=CONDITIONAL,
)
def instance_list(
    request: Request,
    class_: ClassParameter = None,
    page: PageParameter = None,
    format: FormatParameter = None,
) -> Response:
    """Every instance of a class, sorted by label, each linked to its page."""
    if format not in (None, "html", "json"):
        return _bad(f"format must be html or json, not {format!r}")
    try:
        iri, number = class_iri(class_), page_number(page)
    except BadListRequest as problem:
        return _bad(str(problem))
    media = JSON if format == "json" else HTML
    languages = page_languages(
        request.query_params.get("lang"), request.headers.get("accept-language")
    )
    headers = cache_headers(request, media, languages, f"{iri}\0{number}")
    cached = not_modified(request, headers)
    if cached is not None:
        return cached
    if (answer := remembered(request, headers)) is not None:
        return answer
    reader = reader_of(request)
    state = app_state(request)
    found = state.memo.get(state.manifest.version, ("list", iri), lambda: listing(reader, iri))
    pages = max(1, math.ceil(len(found.ordered) / PAGE_SIZE))
    if found.total == 0 or number > pages:
        return not_found(request)
    context = _context(reader, iri, number, pages, found, languages)
    if media == JSON:
        return remember(request, JSONResponse(_json(request, context), headers=headers))
    return remember(request, render(request, "list.html", headers, **context))


def _context(
    reader: StoreReader,
    iri: str,
    number: int,
    pages: int,
    found: Listing,
    languages: tuple[str, ...],
) -> dict[str, Any]:
    return {
        "class_iri": iri,
        "class_curie": compact_iri(iri),
        "class_label": label_of(reader, iri, languages) or term_label(iri),
        "total": found.total,
        "named": len(found.ordered),
        "page": number,
        "pages": pages,
        "page_size": PAGE_SIZE,
        "items": instances(reader, found.ordered, number, languages),
        "lang": languages[0],
    }


def list_path(request: Request, iri: str, page: int, format: str | None = None) -> str:
    """The path of one page of the list of ``iri``'s instances."""
    curie = compact_iri(iri)
    query = {"class": iri if curie.startswith("<") else curie, "page": str(page)}
    if format:
        query["format"] = format
    return app_state(request).links.path("/list") + "?" + urlencode(query)


def _json(request: Request, context: dict[str, Any]) -> dict[str, Any]:
    links = app_state(request).links
    number, pages, iri = context["page"], context["pages"], context["class_iri"]
    return {
        "class": iri,
        "label": context["class_label"],
        "count": context["total"],
        "listed": context["named"],
        "page": number,
        "pages": pages,
        "pageSize": PAGE_SIZE,
        "items": [
            {"iri": i.iri, "label": i.label, "href": links.href(i.iri)} for i in context["items"]
        ],
        "next": list_path(request, iri, number + 1, "json") if number < pages else None,
        "previous": list_path(request, iri, number - 1, "json") if number > 1 else None,
    }
