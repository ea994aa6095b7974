"""The figures table (``/figures``): every observation with labelled columns, facets with
counts, sorting and paging, and the same view as CSV or JSON (after datasette's table view)."""

from __future__ import annotations

import csv
import io
import json
import logging
import math
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response

from tipgraph.figures_view import (
    DIMENSIONS,
    RECORD_FIELDS,
    SORTABLE,
    View,
    ViewError,
    select_view,
)
from tipgraph.formats import BY_NAME, HTML, MediaType
from tipgraph.namespaces import ID
from tipgraph.web.links import linkable
from tipgraph.web.openapi import CONDITIONAL, answers, ok
from tipgraph.web.pages import (
    cache_headers,
    get_and_head,
    not_modified,
    page_languages,
    remember,
    remembered,
    render,
)
from tipgraph.web.state import AppState, app_state

log = logging.getLogger(__name__)

router = APIRouter(tags=["Figures"])
CSV = BY_NAME["text/csv"]
JSON = MediaType("application/json", ("json",), "", label="JSON")
BY_EXTENSION = {"html": HTML, "csv": CSV, "json": JSON}
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_PAGE = 1_000_000
COLUMNS = {
    "indicator": "Indicator",
    "area": "Area",
    "period": "Period",
    "form": "Form of exploitation",
    "value": "Value",
    "actor": "Reported by",
    "report": "Report",
}
FACET_TITLES = COLUMNS | {"unit": "Unit", "qualifier": "Qualifier"}
NO_STORE = {"Cache-Control": "no-store"}

Filter = Annotated[
    list[str] | None,
    Query(description="Only figures with this value: an IRI, or its path under /id/."),
]
Lang = Annotated[str | None, Query(description="Preferred language of labels (en, az, ru).")]
Sort = Annotated[
    str | None,
    Query(description=f"Column to sort by, - first for descending: {', '.join(SORTABLE)}."),
]
Number = Annotated[str | None, Query(description="A whole number.")]
Format = Annotated[str | None, Query(description="Overrides the suffix: html, csv or json.")]
TABLE = {
    "response_class": Response,
    "responses": answers(
        ok("The figures of the view: a page, or all its rows as CSV or JSON.", [HTML, CSV, JSON]),
        304,
        404,
    )
    | {
        400: {
            "description": "A filter, sort, page or size that cannot be read.",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        }
    },
    "openapi_extra": CONDITIONAL,
}


@dataclass(frozen=True)
class Paging:
    page: int
    size: int


@get_and_head(router, "/figures", summary="Every figure: filter, sort, page, download", **TABLE)
def figures(
    request: Request,
    indicator: Filter = None,
    area: Filter = None,
    period: Filter = None,
    form: Filter = None,
    unit: Filter = None,
    qualifier: Filter = None,
    actor: Filter = None,
    report: Filter = None,
    sort: Sort = None,
    page: Number = None,
    size: Number = None,
    lang: Lang = None,
    format: Format = None,
) -> Response:
    """The figures table; ``format=csv`` or ``json`` downloads every row of the view."""
    return _answer(request, format or "html")


@get_and_head(
    router, "/figures.{extension}", summary="The figures of a view as CSV or JSON", **TABLE
)
def figures_download(
    request: Request,
    extension: str,
    indicator: Filter = None,
    area: Filter = None,
    period: Filter = None,
    form: Filter = None,
    unit: Filter = None,
    qualifier: Filter = None,
    actor: Filter = None,
    report: Filter = None,
    sort: Sort = None,
    lang: Lang = None,
) -> Response:
    """``/figures.csv`` and ``/figures.json``: every row of the view the parameters select."""
    if extension.strip().lower() not in BY_EXTENSION:  # no such document (?format=xml: a 400)
        return PlainTextResponse(
            f"no document figures.{extension}: the figures are /figures.csv, /figures.json "
            "and /figures (HTML)\n",
            status_code=404,
            headers=NO_STORE,
        )
    return _answer(request, extension)


def _answer(request: Request, format_name: str) -> Response:
    media = BY_EXTENSION.get(format_name.strip().lower())
    if media is None:
        return _bad(f"no format {format_name!r}: ask for html, csv or json")
    params = request.query_params
    # An empty value (a form's blank field) filters nothing.
    chosen = {name: [v for v in params.getlist(name) if v.strip()] for name in DIMENSIONS}
    filters = {name: values for name, values in chosen.items() if values}
    sort = params.get("sort") or None
    try:
        paging = _paging(params.get("page"), params.get("size"))
    except ViewError as error:
        return _bad(str(error))
    languages = page_languages(params.get("lang"), request.headers.get("accept-language"))
    variant = _variant(filters, sort, paging) + ("|" + ",".join(languages) if media != HTML else "")
    headers = cache_headers(request, media, languages, variant)
    cached = not_modified(request, headers) or remembered(request, headers)
    if cached is not None:
        return cached
    state = app_state(request)
    rows = state.figure_rows(languages)
    key = (languages, tuple(sorted((k, tuple(v)) for k, v in filters.items())), sort)
    try:
        view = state.views.get(
            state.manifest.version, key, lambda: select_view(rows, filters, sort)
        )
    except ViewError as error:
        return _bad(str(error))
    if media == CSV:
        body = _csv(view)
    elif media == JSON:
        body = json.dumps(_json(view, filters, sort), ensure_ascii=False, indent=1) + "\n"
    else:
        pages = max(1, math.ceil(len(view.rows) / paging.size))
        if paging.page > pages:
            return _bad(f"page {paging.page} is past the last page of this view ({pages})")
        context = _page_context(request, view, filters, sort, paging, pages)
        return remember(request, render(request, "figures.html", headers, **context))
    response = Response(body, media_type=media.content_type, headers=headers)
    return remember(request, response)


def prepare_figures(state: AppState) -> None:
    """Read the rows of the table as most readers see it (English labels first) in the
    background, so that the first visitor of ``/figures`` does not wait for them (called when
    the server starts)."""
    state.prepare("figures", lambda: state.figure_rows(page_languages(None, None)))


def _bad(message: str) -> PlainTextResponse:
    return PlainTextResponse(f"{message}\n", status_code=400, headers=NO_STORE)


def _paging(page: str | None, size: str | None) -> Paging:
    """The page asked for, with its size; a value that is not a sensible number says why."""
    return Paging(
        _whole("page", page, 1, 1, MAX_PAGE), _whole("size", size, PAGE_SIZE, 1, MAX_PAGE_SIZE)
    )


def _whole(name: str, value: str | None, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    if not (value.isascii() and value.isdigit() and len(value) <= 7 and low <= int(value) <= high):
        raise ViewError(f"{name}={value!r} is not a whole number from {low} to {high:,}")
    return int(value)


def _variant(filters: dict[str, list[str]], sort: str | None, paging: Paging) -> str:
    """What the view is made of, normalised: parameters the table does not read are not in it."""
    chosen = sorted((name, value) for name, values in filters.items() for value in values)
    return json.dumps([chosen, sort, paging.page, paging.size])


def export_records(view: View) -> list[dict[str, object]]:
    return [row.record() for row in view.rows]


def _csv(view: View) -> str:
    """Every row of the view; a column of several values (actors) joins them with " | "."""
    records = export_records(view)
    output = io.StringIO()
    fields = list(RECORD_FIELDS)
    writer = csv.DictWriter(output, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: " | ".join(v) if isinstance(v, list) else v for k, v in record.items()})
    return output.getvalue()


def _json(view: View, filters: dict[str, list[str]], sort: str | None) -> dict[str, Any]:
    return {
        "count": len(view.rows),
        "filters": {name: [x.iri for x in found] for name, found in view.filters.items()},
        "sort": sort,
        "rows": export_records(view),
        "facets": {
            facet.name: [{"iri": x.iri, "label": x.label, "count": n} for x, n in facet.counts]
            for facet in view.facets
        },
    }


def _page_context(
    request: Request,
    view: View,
    filters: dict[str, list[str]],
    sort: str | None,
    paging: Paging,
    pages: int,
) -> dict[str, Any]:
    links = app_state(request).links
    state: list[tuple[str, str]] = [
        (name, value) for name, values in filters.items() for value in values
    ]
    if sort:
        state.append(("sort", sort))
    size_param = ("size", str(paging.size))
    if paging.size != PAGE_SIZE:
        state.append(size_param)

    def url(path: str = "/figures", drop: tuple[str, str] | None = None, **extra: str) -> str:
        kept = [p for p in state if p != drop and p[0] not in extra]
        query = urlencode(kept + list(extra.items()))
        return links.path(path) + (f"?{query}" if query else "")

    def sort_url(column: str) -> str:
        return url(sort=f"-{column}" if sort == column else column)

    def doc(iri: str) -> str | None:
        """The page about ``iri``: its /doc/ page here, or the IRI itself if it is a web page."""
        if iri.startswith(ID):
            return links.path(f"/doc/{iri[len(ID) :]}")
        return iri if linkable(iri) else None

    first = (paging.page - 1) * paging.size
    active = {(name, x.iri) for name, found in view.filters.items() for x in found}
    return {
        "view": view,
        "rows": view.rows[first : first + paging.size],
        "first": first,
        "paging": paging,
        "pages": pages,
        "sort": sort,
        "columns": COLUMNS,
        "facet_titles": FACET_TITLES,
        "active": [
            (name, x, url(drop=(name, raw)))
            for name, values in filters.items()
            for raw, x in zip(values, view.filters[name], strict=True)
        ],
        "facet_url": lambda name, x: _add(url, name, x.key),
        "is_active": lambda name, x: (name, x.iri) in active,
        "sort_url": sort_url,
        "page_url": lambda n: url(page=str(n)),
        "download": lambda extension: url(path=f"/figures.{extension}", drop=size_param),
        "clear_url": links.path("/figures"),
        "doc": doc,
    }


def _add(url: Any, name: str, key: str) -> str:
    """The current view's URL with one more filter."""
    base: str = url()
    return base + ("&" if "?" in base else "?") + urlencode([(name, key)])
