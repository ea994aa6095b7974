"""One resource, several representations: pick HTML or an RDF format, and say which exist."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from tipgraph.errors import NotAcceptable
from tipgraph.formats import EXTENSIONS, HTML, PAGE_TYPES, MediaType
from tipgraph.negotiation import format_by_name, negotiate

# Server order: Turtle for clients that accept anything; HTML only when preferred (browsers).
RDF_TYPES: tuple[MediaType, ...] = PAGE_TYPES
OFFERED: tuple[MediaType, ...] = (*RDF_TYPES, HTML)
LABELS = {media.name: media.label for media in OFFERED}


@dataclass(frozen=True)
class Alternate:
    """A twin of the page in another format, for ``Link`` headers and ``<link rel>``."""

    media_type: str
    href: str
    label: str
    extension: str


def split_extension(path: str) -> tuple[str, str | None]:
    """``agency/mia.ttl`` → (``agency/mia``, ``ttl``); a path without a known suffix unchanged."""
    stem, dot, suffix = path.rpartition(".")
    if dot and stem and suffix in EXTENSIONS:
        return stem, suffix
    return path, None


def choose(extension: str | None, format_param: str | None, accept: str | None) -> MediaType:
    """The representation to send: the extension, else ``format=``, else the Accept header."""
    if extension is not None:
        return EXTENSIONS[extension]
    if format_param:
        media = EXTENSIONS.get(format_param.strip().lower()) or format_by_name(format_param)
        if media is None or media not in OFFERED:
            raise NotAcceptable(
                f"unknown format {format_param!r}: use one of {', '.join(EXTENSIONS)}."
            )
        return media
    media = negotiate(accept, OFFERED)
    if media is None:
        raise NotAcceptable(
            f"none of the accepted types ({accept}) is offered here; accept text/html, "
            "text/turtle, application/ld+json, application/n-triples or application/rdf+xml."
        )
    return media


def alternates(doc_path: str) -> list[Alternate]:
    """Every twin of the document at ``doc_path`` (a path on this server, no extension, as an
    IRI's path: its percent-encodings are kept, its other letters encoded)."""
    href = quote(doc_path, safe="/%")
    return [
        Alternate(media.name, f"{href}.{extension}", LABELS[media.name], extension)
        for extension, media in EXTENSIONS.items()
    ]


def link_header(twins: list[Alternate]) -> str:
    """The HTTP ``Link`` header naming every twin (RFC 8288)."""
    return ", ".join(f'<{t.href}>; rel="alternate"; type="{t.media_type}"' for t in twins)
