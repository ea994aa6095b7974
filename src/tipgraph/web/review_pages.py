"""``/review/SLUG`` (``tipgraph serve --review``): a report's working files as a second reader
checks them, the page ``tipgraph review`` writes, read anew on every request."""

from __future__ import annotations

import re

from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from tipgraph.curation.review import review_page
from tipgraph.errors import TipgraphError
from tipgraph.web.state import app_state

router = APIRouter(tags=["Curation"])
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/review/{slug}", include_in_schema=False)
async def review(request: Request, slug: str) -> Response:
    """The review page of ``data/SLUG`` in the checkout; 404 unless the server was started
    with ``--review`` (the working files, drafts included, are not the published data)."""
    checkout = app_state(request).settings.review
    folder = checkout.data_dir / slug if checkout is not None else None
    if checkout is None or folder is None or not SLUG.fullmatch(slug) or not folder.is_dir():
        return PlainTextResponse("no such review\n", status_code=404, headers=NO_STORE)
    try:
        page = await to_thread.run_sync(review_page, checkout.ontology_dir, checkout.data_dir, slug)
    except TipgraphError as error:
        return PlainTextResponse(f"{error}\n", status_code=422, headers=NO_STORE)
    return HTMLResponse(page, headers=NO_STORE)
